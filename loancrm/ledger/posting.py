"""Posting balanced journal entries: the one way money reaches the ledger.

Invariants: an entry has at least two lines, every line is one-sided and positive, debits equal credits to the fen;
an entry dated in a closed period, or before one (the books are closed through the latest closed month), is
refused; entries are never edited — ``journal_reverse`` posts the mirror image. Callers run inside the transaction of
the money event, so the event and its entry commit or fail together.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from loancrm.core.business_date import current_business_date
from loancrm.core.money import ZERO
from loancrm.ledger import period_triggers
from loancrm.ledger.choices import CHART, EntryKind, PeriodStatus
from loancrm.ledger.errors import PeriodClosed, Unbalanced, UnknownAccount
from loancrm.ledger.models import AccountingPeriod, JournalEntry, JournalLine, LedgerAccount

_ACCOUNT_IDS: dict[str, int] = {}
BUILTIN = {row[0]: row for row in CHART}


@dataclass(frozen=True, slots=True)
class Leg:
    account: str
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    loan_id: int | None = None


def dr(account: str, amount: Decimal, loan_id: int | None = None) -> Leg:
    return Leg(account, debit=amount, loan_id=loan_id)


def cr(account: str, amount: Decimal, loan_id: int | None = None) -> Leg:
    return Leg(account, credit=amount, loan_id=loan_id)


def account_id(code: str) -> int:
    """The id of the account with ``code`` (cached per process; accounts are never deleted). A built-in account
    missing from the database (a flushed test database) is created from the chart."""
    found = _ACCOUNT_IDS.get(code)
    if found is None:
        row = LedgerAccount.objects.filter(code=code).values_list("id", flat=True).first()
        if row is None:
            builtin = BUILTIN.get(code)
            if builtin is None:
                raise UnknownAccount(fields={"account": [code]})
            row = LedgerAccount.objects.create(code=code, kind=builtin[1], name_zh=builtin[2], name_en=builtin[3]).pk
        found = _ACCOUNT_IDS[code] = row
    return found


def net_legs(legs: Iterable[Leg]) -> list[Leg]:
    """Legs merged per (account, loan, side), zero amounts dropped; order of first appearance kept."""
    merged: dict[tuple[str, int | None, str], Decimal] = {}
    for leg in legs:
        if leg.debit < 0 or leg.credit < 0:
            raise Unbalanced(fields={"lines": ["negative amount"]})
        if leg.debit:
            merged[(leg.account, leg.loan_id, "d")] = merged.get((leg.account, leg.loan_id, "d"), ZERO) + leg.debit
        if leg.credit:
            merged[(leg.account, leg.loan_id, "c")] = merged.get((leg.account, leg.loan_id, "c"), ZERO) + leg.credit
    return [
        Leg(account, debit=amount if side == "d" else ZERO, credit=amount if side == "c" else ZERO, loan_id=loan)
        for (account, loan, side), amount in merged.items()
    ]


def balanced_lines(legs: Iterable[Leg]) -> list[Leg]:
    """The netted legs of one entry; ``Unbalanced`` unless there are two or more and debits equal credits."""
    lines = net_legs(legs)
    debits = sum((leg.debit for leg in lines), ZERO)
    credits = sum((leg.credit for leg in lines), ZERO)
    if len(lines) < 2 or debits != credits or debits <= 0:
        raise Unbalanced(fields={"lines": [f"debits {debits} / credits {credits}"]})
    return lines


def period_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_period(day: dt.date) -> dt.date:
    """The first day of the month after ``day``'s."""
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def period_end(start: dt.date) -> dt.date:
    """The last day of ``start``'s month."""
    return next_period(start) - dt.timedelta(days=1)


def period_is_closed(day: dt.date) -> bool:
    """True when the books are closed through ``day``'s month: it or a later month is closed."""
    return AccountingPeriod.objects.filter(start__gte=period_start(day), status=PeriodStatus.CLOSED).exists()


def journal_post(
    *,
    entry_date: dt.date,
    kind: EntryKind | str,
    legs: Sequence[Leg],
    memo: str = "",
    loan_id: int | None = None,
    reverses: JournalEntry | None = None,
    actor: Any = None,
    move_out_of_closed: bool = False,
) -> JournalEntry:
    """Write one balanced entry with its lines; refuses unbalanced legs and closed periods.

    ``move_out_of_closed`` dates an entry whose date falls in a closed period on the business date instead (a money
    event that happened then but reached us after the close: its value date stays on the business record).

    A database trigger (``period_triggers``) refuses the entry row too: the backstop for a posting racing a close on
    PostgreSQL (the insert waits for the close's lock, then sees it committed), reported as ``PeriodClosed``. A
    refusal raises out of the (savepoint-less) atomic block, so nothing of the entry remains once the caller's
    transaction ends.
    """
    lines = balanced_lines(legs)
    if period_is_closed(entry_date):
        if not move_out_of_closed:
            raise PeriodClosed(fields={"entry_date": [entry_date.isoformat()]})
        entry_date = current_business_date()
        if period_is_closed(entry_date):
            raise PeriodClosed(fields={"entry_date": [entry_date.isoformat()]})
    with transaction.atomic(savepoint=False):
        try:
            entry = JournalEntry.objects.create(
                entry_date=entry_date,
                kind=kind,
                memo=memo[:200],
                loan_id=loan_id,
                reverses=reverses,
                posted_at=timezone.now(),
                posted_by=actor if getattr(actor, "pk", None) else None,
            )
        except IntegrityError as exc:
            if period_triggers.MARKER not in str(exc):
                raise
            raise PeriodClosed(fields={"entry_date": [entry_date.isoformat()]}) from exc
        JournalLine.objects.bulk_create(
            [
                JournalLine(
                    entry=entry, account_id=account_id(leg.account), loan_id=leg.loan_id, debit=leg.debit,
                    credit=leg.credit,
                )
                for leg in lines
            ]
        )  # fmt: skip
    return entry


def journal_reverse(
    entry: JournalEntry, *, entry_date: dt.date, memo: str = "", actor: Any = None, kind: str = EntryKind.REVERSAL
) -> JournalEntry:
    """The mirror image of ``entry`` (debits become credits), linked to it; the original stays as it was."""
    codes = dict(LedgerAccount.objects.values_list("id", "code"))
    legs = [
        Leg(codes[line.account_id], debit=line.credit, credit=line.debit, loan_id=line.loan_id)
        for line in JournalLine.objects.filter(entry=entry)
    ]
    return journal_post(
        entry_date=entry_date, kind=kind, legs=legs, memo=memo, loan_id=entry.loan_id, reverses=entry, actor=actor
    )


def clear_account_cache() -> None:
    """Forget cached account ids (tests that recreate the database call this)."""
    _ACCOUNT_IDS.clear()
