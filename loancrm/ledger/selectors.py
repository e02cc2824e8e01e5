"""Ledger reads: the trial balance, the journal and one entry (scoped to the user), a loan's entries and sub-ledger.

Invariants: a user with the all-data scope sees the whole journal; a narrower scope sees the entries of loans in it
(by account officer and branch) and a trial balance of exactly those entries; without ``ledger.view_journalentry``
nothing. Every figure is one GROUP BY in the database summed in integer fen (``sums``): no Python work per line.
Balances are on the account's normal side (assets and expenses debit − credit, the others credit − debit).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncMonth
from django.http import Http404

from loancrm.accounts.choices import DataScope
from loancrm.accounts.scope import data_scope, scope_q
from loancrm.core.errors import ValidationFailed
from loancrm.core.money import ZERO
from loancrm.ledger.choices import DEBIT_NORMAL, AccountKind, PeriodStatus
from loancrm.ledger.models import AccountingPeriod, JournalEntry, JournalLine, LedgerAccount, localised
from loancrm.ledger.posting import next_period, period_end, period_start
from loancrm.ledger.sums import exact_sum, fen_sum, to_amount, to_fen

VIEW_PERMISSION = "ledger.view_journalentry"


@dataclass(frozen=True)
class AccountBalance:
    code: str
    kind: str
    name_zh: str
    name_en: str
    opening: Decimal
    debits: Decimal
    credits: Decimal
    closing: Decimal

    @property
    def name(self) -> str:
        """The account name in the active language."""
        return localised(self.name_zh, self.name_en)

    @property
    def kind_label(self) -> str:
        return str(AccountKind(self.kind).label)

    @property
    def debit_normal(self) -> bool:
        return self.kind in DEBIT_NORMAL


@dataclass(frozen=True)
class TrialBalance:
    """Opening balances before ``date_from``, movements in [``date_from``, ``as_of``], closing balances at ``as_of``.

    ``difference`` is all debits − all credits through ``as_of``: zero in a sound ledger (``balanced``)."""

    date_from: dt.date
    as_of: dt.date
    rows: list[AccountBalance]
    total_debits: Decimal
    total_credits: Decimal
    debit_balances: Decimal
    credit_balances: Decimal
    difference: Decimal

    @property
    def balanced(self) -> bool:
        return self.difference == 0 and self.total_debits == self.total_credits


def _normal(kind: str, debit: Decimal, credit: Decimal) -> Decimal:
    return debit - credit if kind in DEBIT_NORMAL else credit - debit


def entries_visible_to(user: Any) -> QuerySet[JournalEntry]:
    """The journal entries ``user`` may read (see module invariants)."""
    if not user.has_perm(VIEW_PERMISSION):
        return JournalEntry.objects.none()
    if data_scope(user) == DataScope.ALL:
        return JournalEntry.objects.all()
    return JournalEntry.objects.filter(scope_q(user, owner="loan__officer", org_unit="loan__org_unit"))


def _lines_visible_to(user: Any) -> QuerySet[JournalLine]:
    if not user.has_perm(VIEW_PERMISSION):
        return JournalLine.objects.none()
    if data_scope(user) == DataScope.ALL:
        return JournalLine.objects.all()
    return JournalLine.objects.filter(scope_q(user, owner="entry__loan__officer", org_unit="entry__loan__org_unit"))


Balances = dict[int, tuple[Decimal, Decimal]]


def latest_closed(before: dt.date | None = None) -> AccountingPeriod | None:
    """The latest closed period, or the latest one that ended before the day ``before``."""
    closed = AccountingPeriod.objects.filter(status=PeriodStatus.CLOSED)
    if before is not None:
        closed = closed.filter(start__lt=period_start(before))
    return closed.order_by("-start").first()


def _snapshot_before(day: dt.date) -> tuple[dt.date | None, Balances]:
    """(last day, balances) of the latest closed period that ended before ``day``; (None, {}) when there is none."""
    period = latest_closed(day)
    if period is None:
        return None, {}
    return period_end(period.start), {b.account_id: (b.debits, b.credits) for b in period.balances.all()}


def cumulative_balances(through: dt.date) -> Balances:
    """Each account's (debits, credits) through ``through``: the latest period snapshot before it plus later lines."""
    base_end, balances = _snapshot_before(through + dt.timedelta(days=1))
    lines = JournalLine.objects.filter(entry__entry_date__lte=through)
    if base_end is not None:
        lines = lines.filter(entry__entry_date__gt=base_end)
    for row in lines.order_by().values("account_id").annotate(dr=exact_sum("debit"), cr=exact_sum("credit")):
        debits, credits = balances.get(row["account_id"], (ZERO, ZERO))
        balances[row["account_id"]] = (debits + to_amount(row["dr"]), credits + to_amount(row["cr"]))
    return balances


def trial_balance(user: Any, *, as_of: dt.date, date_from: dt.date | None = None) -> TrialBalance:
    """The trial balance at ``as_of`` with movements since ``date_from`` (default: the first day of its month).

    The whole-journal view starts from the balances stored by the latest period closed before ``date_from``, so it
    reads only the lines posted after that period; a narrower scope sums its entries from the first one."""
    start = date_from or period_start(as_of)
    if start > as_of:
        raise ValidationFailed(fields={"date_from": [ValidationFailed.default_message]})
    lines = _lines_visible_to(user).filter(entry__entry_date__lte=as_of)
    base_end, base = _snapshot_before(start) if data_scope(user) == DataScope.ALL else (None, {})
    if base_end is not None:
        lines = lines.filter(entry__entry_date__gt=base_end)
    before = Q(entry__entry_date__lt=start)
    sums = {
        row["account_id"]: {key: to_amount(value) for key, value in row.items() if key != "account_id"}
        for row in lines.order_by()
        .values("account_id")
        .annotate(
            open_dr=exact_sum("debit", filter=before),
            open_cr=exact_sum("credit", filter=before),
            dr=exact_sum("debit", filter=~before),
            cr=exact_sum("credit", filter=~before),
        )
    }
    nothing = dict.fromkeys(("open_dr", "open_cr", "dr", "cr"), ZERO)
    rows, totals = [], dict.fromkeys(("dr", "cr", "open_dr", "open_cr", "debit_side", "credit_side"), ZERO)
    for account in LedgerAccount.objects.order_by("code"):
        if account.pk not in sums and account.pk not in base and not account.is_active:
            continue
        f = dict(sums.get(account.pk, nothing))
        f["open_dr"] += base.get(account.pk, (ZERO, ZERO))[0]
        f["open_cr"] += base.get(account.pk, (ZERO, ZERO))[1]
        closing = _normal(account.kind, f["open_dr"] + f["dr"], f["open_cr"] + f["cr"])
        rows.append(
            AccountBalance(
                code=account.code, kind=account.kind, name_zh=account.name_zh, name_en=account.name_en,
                opening=_normal(account.kind, f["open_dr"], f["open_cr"]), debits=f["dr"], credits=f["cr"],
                closing=closing,
            )
        )  # fmt: skip
        for key in ("dr", "cr", "open_dr", "open_cr"):
            totals[key] += f[key]
        totals["debit_side" if account.kind in DEBIT_NORMAL else "credit_side"] += closing
    return TrialBalance(
        date_from=start, as_of=as_of, rows=rows, total_debits=totals["dr"], total_credits=totals["cr"],
        debit_balances=totals["debit_side"], credit_balances=totals["credit_side"],
        difference=totals["open_dr"] + totals["dr"] - totals["open_cr"] - totals["cr"],
    )  # fmt: skip


def month_trial_balance(user: Any, month: dt.date) -> TrialBalance:
    """The trial balance of one calendar month (opening on its first day, closing on its last)."""
    start = period_start(month)
    return trial_balance(user, as_of=next_period(start) - dt.timedelta(days=1), date_from=start)


def entry_ids_for_loan(loan_id: int) -> QuerySet[Any]:
    """Ids of the entries about ``loan_id``: tagged with it, or with a line of its sub-ledger (a batch entry)."""
    lines = JournalLine.objects.filter(loan_id=loan_id).order_by().values("entry_id")
    return lines.union(JournalEntry.objects.filter(loan_id=loan_id).order_by().values("id"))


def with_totals(entries: QuerySet[JournalEntry]) -> QuerySet[JournalEntry]:
    """Annotate ``total_fen`` (the entry's debits in fen: exact on both databases, for display and filtering) and
    ``reversed_by_pk`` (the entry reversing it, if any)."""
    lines = JournalLine.objects.filter(entry=OuterRef("pk")).order_by().values("entry")
    reversal = JournalEntry.objects.filter(reverses=OuterRef("pk")).values("id")
    return entries.annotate(
        total_fen=Subquery(lines.annotate(s=fen_sum("debit")).values("s")), reversed_by_pk=Subquery(reversal)
    )


def filter_entries(
    entries: QuerySet[JournalEntry],
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    kind: str = "",
    account: str = "",
    contract_no: str = "",
    amount_min: Decimal | None = None,
    amount_max: Decimal | None = None,
) -> QuerySet[JournalEntry]:
    """Entries matching every given filter; ``account`` is an account code the entry has a line on, ``contract_no``
    a loan's contract number, the amounts bound the entry's total (its debits)."""
    if date_from:
        entries = entries.filter(entry_date__gte=date_from)
    if date_to:
        entries = entries.filter(entry_date__lte=date_to)
    if kind:
        entries = entries.filter(kind=kind)
    if account:
        entries = entries.filter(Exists(JournalLine.objects.filter(entry=OuterRef("pk"), account__code=account)))
    if contract_no:
        from loancrm.loans.models import Loan

        loan_id = Loan.objects.filter(contract_no=contract_no).values_list("id", flat=True).first()
        entries = entries.filter(pk__in=entry_ids_for_loan(loan_id)) if loan_id else entries.none()
    entries = with_totals(entries)
    if amount_min is not None:
        entries = entries.filter(Q(total_fen__gte=to_fen(amount_min)))
    if amount_max is not None:
        entries = entries.filter(Q(total_fen__lte=to_fen(amount_max)))
    return entries.select_related("loan", "posted_by")


@dataclass(frozen=True)
class EntryDetail:
    entry: JournalEntry
    lines: list[JournalLine]
    reversed_by: JournalEntry | None
    debits: Decimal
    credits: Decimal

    @property
    def reverses(self) -> JournalEntry | None:
        return self.entry.reverses


def access_entry(user: Any, pk: int) -> EntryDetail:
    """One entry ``user`` may read, with its lines and both reversal links; otherwise the same 404 as a missing one."""
    entry = with_totals(entries_visible_to(user)).select_related("loan", "posted_by", "reverses").filter(pk=pk).first()
    if entry is None:
        raise Http404
    lines = list(JournalLine.objects.filter(entry=entry).select_related("account", "loan").order_by("id"))
    return EntryDetail(
        entry=entry,
        lines=lines,
        reversed_by=JournalEntry.objects.filter(reverses=entry).first(),
        debits=sum((line.debit for line in lines), ZERO),
        credits=sum((line.credit for line in lines), ZERO),
    )


def entries_for_loan(loan_id: int) -> QuerySet[JournalEntry]:
    """The entries of one loan, newest first, with totals. The caller has already authorised the loan."""
    entries = JournalEntry.objects.filter(pk__in=entry_ids_for_loan(loan_id))
    return with_totals(entries).select_related("posted_by").order_by("-entry_date", "-id")


@dataclass(frozen=True)
class SubledgerRow:
    code: str
    kind: str
    name_zh: str
    name_en: str
    debits: Decimal
    credits: Decimal
    balance: Decimal

    @property
    def name(self) -> str:
        return localised(self.name_zh, self.name_en)


def loan_subledger(loan_id: int) -> list[SubledgerRow]:
    """The loan's balance per account it has lines on (normal side), by account code. The caller authorised it."""
    sums = (
        JournalLine.objects.filter(loan_id=loan_id)
        .order_by()
        .values("account_id")
        .annotate(dr=exact_sum("debit"), cr=exact_sum("credit"))
    )
    by_account = {row["account_id"]: (to_amount(row["dr"]), to_amount(row["cr"])) for row in sums}
    return [
        SubledgerRow(
            code=account.code, kind=account.kind, name_zh=account.name_zh, name_en=account.name_en,
            debits=by_account[account.pk][0], credits=by_account[account.pk][1],
            balance=_normal(account.kind, *by_account[account.pk]),
        )
        for account in LedgerAccount.objects.filter(pk__in=list(by_account)).order_by("code")
    ]  # fmt: skip


@dataclass(frozen=True)
class PeriodRow:
    """One month of the period list. ``closed``: the books are closed through it (it or a later month is closed);
    ``can_close`` / ``can_reopen`` follow the rules of ``ledger.services``."""

    start: dt.date
    period: AccountingPeriod | None
    entries: int
    ended: bool
    closed: bool
    can_close: bool
    can_reopen: bool

    @property
    def label(self) -> str:
        return self.start.strftime("%Y-%m")

    @property
    def closed_at(self) -> dt.datetime | None:
        return self.period.closed_at if self.period is not None else None

    @property
    def closed_by(self) -> Any:
        return self.period.closed_by if self.period is not None else None


def period_overview(today: dt.date) -> list[PeriodRow]:
    """Every month from the first one with entries (or a period row) to the current one, newest first."""
    current = period_start(today)
    rows = {p.start: p for p in AccountingPeriod.objects.select_related("closed_by")}
    first_entry = JournalEntry.objects.order_by("entry_date").values_list("entry_date", flat=True).first()
    last_entry = JournalEntry.objects.order_by("-entry_date").values_list("entry_date", flat=True).first()
    starts = [*rows, current, *(period_start(d) for d in (first_entry, last_entry) if d)]
    month, last = min(starts), max(starts)
    counts = dict(
        JournalEntry.objects.order_by()
        .annotate(month=TruncMonth("entry_date"))
        .values("month")
        .annotate(n=Count("id"))
        .values_list("month", "n")
    )
    latest = max((start for start, p in rows.items() if p.status == PeriodStatus.CLOSED), default=None)
    result, earlier_open_with_entries = [], False
    while month <= last:
        closed, entries, ended = (
            latest is not None and month <= latest,
            counts.get(month, 0),
            next_period(month) <= today,
        )
        result.append(
            PeriodRow(
                start=month, period=rows.get(month), entries=entries, ended=ended, closed=closed,
                can_close=ended and not closed and not earlier_open_with_entries, can_reopen=month == latest,
            )
        )  # fmt: skip
        earlier_open_with_entries |= not closed and entries > 0
        month = next_period(month)
    return result[::-1]
