"""The double-entry journal: accounts, accounting periods, entries and their lines.

Invariants: entries and lines are append-only (a correction is a reversing entry; UPDATE and DELETE are refused by
database triggers); every entry's debits equal its credits; a line is one-sided and positive; the books are closed
through the latest closed period: ``ledger.posting.journal_post`` refuses an entry dated in it or before it; periods
close and reopen in order (``ledger.services``), and a closed period keeps each account's balance through its end.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from loancrm.ledger.choices import AccountKind, EntryKind, PeriodStatus


def localised(name_zh: str, name_en: str) -> str:
    """The Chinese name when the active language is Chinese, else the English one."""
    return name_zh if (get_language() or "zh").startswith("zh") else name_en


class LedgerAccount(models.Model):
    code = models.CharField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=AccountKind.choices)
    name_zh = models.CharField(_("Chinese name"), max_length=80)
    name_en = models.CharField(_("English name"), max_length=80)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("ledger account")
        verbose_name_plural = _("ledger accounts")

    def __str__(self) -> str:
        return f"{self.code} {self.name_zh}"

    @property
    def name(self) -> str:
        return localised(self.name_zh, self.name_en)


class AccountingPeriod(models.Model):
    """A calendar month (``start`` is its first day); absent means open."""

    start = models.DateField(_("month"), unique=True)
    status = models.CharField(_("status"), max_length=8, choices=PeriodStatus.choices, default=PeriodStatus.OPEN)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-start"]
        verbose_name = _("accounting period")
        verbose_name_plural = _("accounting periods")
        permissions = [
            ("close_period", _("Can close accounting periods")),
            ("reopen_period", _("Can reopen closed accounting periods")),
        ]

    def __str__(self) -> str:
        return f"{self.start:%Y-%m} {self.status}"

    @property
    def label(self) -> str:
        return f"{self.start:%Y-%m}"


class PeriodBalance(models.Model):
    """An account's cumulative debits and credits through the last day of a closed period: written when the period
    closes, removed when it reopens. Trial balances start from the latest one instead of the first line."""

    period = models.ForeignKey(AccountingPeriod, on_delete=models.CASCADE, related_name="balances")
    account = models.ForeignKey(LedgerAccount, on_delete=models.PROTECT, related_name="+")
    debits = models.DecimalField(_("debits"), max_digits=18, decimal_places=2)
    credits = models.DecimalField(_("credits"), max_digits=18, decimal_places=2)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["period", "account"], name="ledger_period_balance_once")]
        verbose_name = _("period balance")
        verbose_name_plural = _("period balances")

    def __str__(self) -> str:
        return f"{self.period_id}/{self.account_id} dr {self.debits} cr {self.credits}"


class JournalEntry(models.Model):
    entry_date = models.DateField(_("accounting date"))
    kind = models.CharField(_("kind"), max_length=14, choices=EntryKind.choices)
    memo = models.CharField(_("memo"), max_length=200, blank=True)
    loan = models.ForeignKey(
        "loans.Loan", null=True, blank=True, on_delete=models.PROTECT, related_name="journal_entries"
    )
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by")
    posted_at = models.DateTimeField(_("posted at"), default=timezone.now)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["entry_date"])]
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")

    def __str__(self) -> str:
        return f"JE{self.pk} {self.entry_date} {self.kind}"


class JournalLine(models.Model):
    """One side of an entry. Its references carry no database constraint (``db_constraint=False``): lines are
    append-only and written by the posting services only, which reference rows they hold; ``ledger_check`` verifies
    that every reference resolves (see docs/loans.md, "Constraints on the high-volume tables")."""

    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="lines", db_constraint=False)
    account = models.ForeignKey(
        LedgerAccount, on_delete=models.PROTECT, related_name="lines", db_index=False, db_constraint=False
    )
    loan = models.ForeignKey(
        "loans.Loan", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False,
        db_constraint=False,
    )  # fmt: skip
    debit = models.DecimalField(_("debit"), max_digits=18, decimal_places=2, default=0)
    credit = models.DecimalField(_("credit"), max_digits=18, decimal_places=2, default=0)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["loan", "account"]), models.Index(fields=["account", "entry"])]
        constraints = [
            models.CheckConstraint(
                name="ledger_line_one_sided_positive",
                condition=(models.Q(debit__gt=0, credit=0) | models.Q(debit=0, credit__gt=0)),
            )
        ]
        verbose_name = _("journal line")
        verbose_name_plural = _("journal lines")

    def __str__(self) -> str:
        return f"{self.account_id} Dr {self.debit} Cr {self.credit}"
