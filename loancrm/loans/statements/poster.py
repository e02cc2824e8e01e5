"""Posting one chunk of statement lines set-based, with exactly the effect of ``payment_post`` per line in file
order (``source=bank_file``, the statement's channel, ``reference`` = the bank transaction id).

How: classify the lines (unreadable, value date after the business date, duplicate, no loan, loan not open);
resolve contract numbers (the contract column, else a memo token) in one query; lock the chunk's loans in one
``SELECT … ORDER BY id FOR UPDATE`` and load the schedule rows their payments can reach in one query, amounts as
whole fen (``loading``); apply each
payment with ``fen.repay`` (the single path's waterfall, accrual recognition, row statuses and loan balances on
integers; a back-dated payment's penalty capped at its value date's, ``penalty_cap``), lines of the same loan one
after another; then write with a handful of statements (``bulk_sql``).

Journal: each payment gets the receivable, accrual and advance lines the single path writes for it (per loan);
the clearing-account debit of all the chunk's payments with the same accounting date is one line, and those
payments share one journal entry (kind repayment, no loan). So a bank-file transaction has no journal entry of its
own (``LoanTransaction.journal_entry`` is empty); ``payment_reverse`` builds its mirror legs from the transaction
(see ``reversal_legs``). The ledger balances per entry, and each loan's receivable / advance / income lines are
those of the single path.

Invariants: a line is posted only when its bank transaction id was never posted for the channel (an earlier
matched statement line, an accepted channel notification, or an earlier line of this file); the caller holds the
channel's row lock, so two files of one channel cannot race, and the partial unique index on matched lines is the
last guard; everything runs in the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

from django.utils import timezone

from loancrm.core.business_date import current_business_date
from loancrm.core.money import ZERO, fen_str
from loancrm.core.money import fen as money_fen
from loancrm.ledger.choices import Acct, EntryKind, PeriodStatus
from loancrm.ledger.errors import PeriodClosed
from loancrm.ledger.models import AccountingPeriod, JournalEntry, JournalLine
from loancrm.ledger.posting import Leg, account_id, cr, dr, net_legs
from loancrm.loans.choices import OPEN_STATUSES, MatchResult, Source, TxnKind, TxnStatus, ensure_transition
from loancrm.loans.models import Installment, Loan, LoanTransaction, PaymentNotification, StatementLine, TransactionPart
from loancrm.loans.services.payments import clearing_account
from loancrm.loans.services.settlement import ACCRUED, RECEIVABLE
from loancrm.loans.statements import bulk_sql as sql
from loancrm.loans.statements import fen
from loancrm.loans.statements.loading import LoanState, lock_loans
from loancrm.loans.statements.parsing import ParsedLine, memo_candidates
from loancrm.loans.statements.penalty_cap import PenaltyCaps

REPAYMENT, POSTED, BANK_FILE = TxnKind.REPAYMENT.value, TxnStatus.POSTED.value, Source.BANK_FILE.value
MATCHED, UNMATCHED = MatchResult.MATCHED.value, MatchResult.UNMATCHED.value
DUPLICATE, INVALID = MatchResult.DUPLICATE.value, MatchResult.INVALID.value


@dataclass(slots=True)
class Outcome:
    """What became of one line: its result, reason code, the loan it paid and the payment (amounts in fen)."""

    line: ParsedLine
    result: str
    note: str = ""
    contract_no: str = ""
    loan: LoanState | None = None
    payment: fen.Payment | None = None
    journal: list[tuple[str, int, int]] = field(default_factory=list)
    entry_date: dt.date | None = None
    txn_id: int | None = None


@dataclass
class ChunkResult:
    outcomes: list[Outcome]
    counts: dict[str, int]
    amounts: dict[str, Decimal]
    entries: int = 0


RECEIVABLE_BY_NAME = tuple((component.value, account) for component, account in RECEIVABLE.items())


def journal_lines(totals: dict[str, int], to_advance: int) -> list[tuple[str, int, int]]:
    """The lines ``settlement.write`` posts for a repayment, without the clearing debit, as (account, debit fen,
    credit fen), in its order: the receivable credits, the accrual recognition, the advance. (A repayment uses no
    advance, and no two of its legs share an account and side, so ``net_legs`` only drops the zero ones.)"""
    lines = [(account, 0, totals[name]) for name, account in RECEIVABLE_BY_NAME if totals[name]]
    accrued = totals[ACCRUED]
    if accrued:
        lines += [(Acct.INTEREST, accrued, 0), (Acct.INTEREST_INCOME, 0, accrued)]
    if to_advance:
        lines.append((Acct.ADVANCE, 0, to_advance))
    return lines


def reversal_legs(txn: LoanTransaction, accrued: Decimal) -> list[Leg]:
    """The mirror of the legs a bank-file repayment posted (for a transaction without an entry of its own)."""
    code = txn.channel.code if txn.channel_id and txn.channel else None
    legs = [
        cr(clearing_account(code), txn.amount, txn.loan_id),
        dr(Acct.PRINCIPAL, txn.principal, txn.loan_id),
        dr(Acct.INTEREST, txn.interest, txn.loan_id),
        dr(Acct.PENALTY, txn.penalty, txn.loan_id),
        dr(Acct.FEE, txn.fee, txn.loan_id),
        cr(Acct.INTEREST, accrued, txn.loan_id),
        dr(Acct.INTEREST_INCOME, accrued, txn.loan_id),
        dr(Acct.ADVANCE, txn.advance, txn.loan_id),
    ]
    return net_legs(legs)


# ---------------------------------------------------------------------------------------------------------------
# reads


def posted_before(channel_id: int, txn_ids: list[str]) -> dict[str, str]:
    """{bank txn id: reason code} for ids already posted for the channel (statement lines or notifications)."""
    if not txn_ids:
        return {}
    lines, notes = sql.table(StatementLine), sql.table(PaymentNotification)
    rows = sql.select(
        f"SELECT bank_txn_id, statement_id FROM {lines} WHERE bank_txn_id = ANY(%s) AND channel_id = %s "  # noqa: S608
        f"AND result = 'matched' UNION ALL SELECT channel_txn_id, NULL FROM {notes} "
        "WHERE channel_txn_id = ANY(%s) AND channel_id = %s AND result = 'accepted'",
        f"SELECT bank_txn_id, statement_id FROM {lines} WHERE bank_txn_id IN (SELECT value FROM json_each(%s)) "  # noqa: S608
        f"AND channel_id = %s AND result = 'matched' UNION ALL SELECT channel_txn_id, NULL FROM {notes} "
        "WHERE channel_txn_id IN (SELECT value FROM json_each(%s)) AND channel_id = %s AND result = 'accepted'",
        [txn_ids, channel_id, txn_ids, channel_id],
    )
    found: dict[str, str] = {}
    for txn_id, statement_id in rows:
        found.setdefault(txn_id, f"posted_before:{statement_id}" if statement_id else "posted_by_notification")
    return found


def loan_ids_by_contract(contracts: list[str]) -> dict[str, int]:
    if not contracts:
        return {}
    loans = sql.table(Loan)
    rows = sql.select(
        f"SELECT contract_no, id FROM {loans} WHERE contract_no = ANY(%s)",  # noqa: S608
        f"SELECT contract_no, id FROM {loans} WHERE contract_no IN (SELECT value FROM json_each(%s))",  # noqa: S608
        [contracts],
    )
    return dict(rows)


def closed_months(days: set[dt.date]) -> set[dt.date]:
    """The months among ``days``' whose books are closed: the month or a later one is closed (as
    ``ledger.posting.period_is_closed``)."""
    latest = (
        AccountingPeriod.objects.filter(status=PeriodStatus.CLOSED).order_by("-start").values_list("start", flat=True)
    ).first()
    return {day.replace(day=1) for day in days if latest is not None and day.replace(day=1) <= latest}


# ---------------------------------------------------------------------------------------------------------------
# the chunk


def _resolve(line: ParsedLine, by_contract: dict[str, int]) -> tuple[int | None, str]:
    """(loan id, "") or (None, reason) for a line: the contract column, else exactly one loan named in the memo."""
    if line.contract_no:
        found = by_contract.get(line.contract_no) or by_contract.get(line.contract_no.upper())
        if found:
            return found, ""
    named = {by_contract[token] for token in memo_candidates(line.memo) if token in by_contract}
    if len(named) == 1:
        return named.pop(), ""
    if len(named) > 1:
        return None, "ambiguous_memo"
    if line.contract_no:
        return None, f"unknown_contract:{line.contract_no}"
    return None, "no_contract_in_memo" if line.memo else "no_contract"


def post_chunk(
    *,
    lines: list[ParsedLine],
    statement_id: int,
    channel: Any,
    seen: set[str],
    actor: Any,
    business_date: dt.date | None = None,
    chunk_label: str = "",
) -> ChunkResult:
    """Classify, post and record ``lines`` (see the module docstring); ``seen`` holds the bank transaction ids of
    this file's earlier readable lines and is extended with this chunk's."""
    business_date = business_date or current_business_date()
    outcomes: list[Outcome] = []
    readable = [line for line in lines if not line.problem]
    earlier = posted_before(channel.pk, sorted({line.txn_id for line in readable} - seen))
    contracts: set[str] = set()
    for line in readable:
        if line.contract_no:
            contracts.update((line.contract_no, line.contract_no.upper()))
        contracts.update(memo_candidates(line.memo))
    by_contract = loan_ids_by_contract(sorted(contracts))
    targets: dict[int, int] = {}  # line number → loan id
    for line in lines:
        if line.problem:
            outcomes.append(Outcome(line, INVALID, line.problem))
            continue
        if line.paid_on is not None and line.paid_on > business_date:
            outcomes.append(Outcome(line, INVALID, "future_date"))
            continue
        if line.txn_id in seen:
            outcomes.append(Outcome(line, DUPLICATE, "duplicate_in_file"))
            continue
        seen.add(line.txn_id)
        if line.txn_id in earlier:
            outcomes.append(Outcome(line, DUPLICATE, earlier[line.txn_id]))
            continue
        loan_id, reason = _resolve(line, by_contract)
        if loan_id is None:
            outcomes.append(Outcome(line, UNMATCHED, reason, contract_no=line.contract_no))
            continue
        targets[line.line_no] = loan_id
        outcomes.append(Outcome(line, MATCHED))
    reach: dict[int, tuple[dt.date, int]] = {}
    for outcome in outcomes:
        if outcome.result == MATCHED:
            loan_id, paid_on = targets[outcome.line.line_no], cast(dt.date, outcome.line.paid_on)
            latest, count = reach.get(loan_id, (paid_on, 0))
            reach[loan_id] = (max(latest, paid_on), count + 1)
    loans = lock_loans(reach, business_date)
    caps = PenaltyCaps(loans, {loan_id: latest for loan_id, (latest, _count) in reach.items()}, business_date)
    clearing = clearing_account(channel.code)
    for outcome in outcomes:
        if outcome.result != MATCHED:
            continue
        line = outcome.line
        loan = loans[targets[line.line_no]]
        outcome.contract_no = loan.contract_no
        if loan.status not in OPEN_STATUSES:
            outcome.result, outcome.note = UNMATCHED, f"loan_not_open:{loan.status}"
            continue
        _post_line(outcome, loan, business_date, caps)
    return _write(outcomes, loans, statement_id=statement_id, channel=channel, clearing=clearing, actor=actor,
                  business_date=business_date, chunk_label=chunk_label)  # fmt: skip


def _post_line(outcome: Outcome, loan: LoanState, business_date: dt.date, caps: PenaltyCaps) -> None:
    """``payments.post_locked`` + ``settlement.write`` up to the database writes, on the in-memory loan."""
    line = outcome.line
    before = loan.status
    value_date = cast(dt.date, line.paid_on)
    payment = fen.repay(loan, money_fen(cast(Decimal, line.amount)), value_date, business_date,
                        caps.for_payment(loan, value_date))  # fmt: skip
    caps.record(payment, value_date)
    if loan.status != before:
        ensure_transition(before, loan.status)
    outcome.loan, outcome.payment = loan, payment
    outcome.journal = journal_lines(payment.totals, payment.advance)


TXN_COLUMNS = ("id", "loan_id", "kind", "status", "source", "amount", "principal", "interest", "penalty", "fee",
               "advance", "value_date", "channel_id", "reference", "reason", "journal_entry_id", "posted_at",
               "posted_by_id")  # fmt: skip
PART_COLUMNS = ("transaction_id", "installment_id", "component", "amount")
ENTRY_COLUMNS = ("id", "entry_date", "kind", "memo", "loan_id", "posted_at", "posted_by_id")
JOURNAL_LINE_COLUMNS = ("entry_id", "account_id", "loan_id", "debit", "credit")
LINE_COLUMNS = ("statement_id", "channel_id", "line_no", "bank_txn_id", "contract_no", "memo", "amount", "paid_on",
                "result", "note", "transaction_id")  # fmt: skip
ROW_UPDATE = (("status", "varchar"), ("paid_on", "date"), ("principal_paid", "numeric"), ("interest_paid", "numeric"),
              ("fee_paid", "numeric"), ("penalty_paid", "numeric"), ("interest_accrued", "numeric"))  # fmt: skip
LOAN_UPDATE = (("principal_outstanding", "numeric"), ("advance_balance", "numeric"), ("status", "varchar"),
               ("paid_off_on", "date"), ("maturity_date", "date"))  # fmt: skip


def _entry_dates(posted: list[Outcome], business_date: dt.date) -> None:
    """Each posting's accounting date: its value date, or the business date when that month is closed
    (``journal_post(move_out_of_closed=True)``)."""
    closed = closed_months({cast(dt.date, o.line.paid_on) for o in posted})
    for outcome in posted:
        day = cast(dt.date, outcome.line.paid_on)
        outcome.entry_date = day if day.replace(day=1) not in closed else business_date
    if closed and business_date.replace(day=1) in closed_months({business_date}):
        raise PeriodClosed(fields={"entry_date": [business_date.isoformat()]})


_FEN_TEXT: dict[int, str] = {}


def _fen_text(count: int) -> str:
    """``fen_str``, remembered (a file's amounts repeat: instalments, zero sides)."""
    found = _FEN_TEXT.get(count)
    if found is None:
        if len(_FEN_TEXT) > 100_000:
            _FEN_TEXT.clear()
        found = _FEN_TEXT[count] = fen_str(count)
    return found


def _write(
    outcomes: list[Outcome], loans: dict[int, LoanState], *, statement_id: int, channel: Any, clearing: str,
    actor: Any, business_date: dt.date, chunk_label: str,
) -> ChunkResult:  # fmt: skip
    posted = [o for o in outcomes if o.payment is not None]
    now = timezone.now()
    user_id = actor.pk if getattr(actor, "pk", None) else None
    _entry_dates(posted, business_date)
    dates = sorted({cast(dt.date, o.entry_date) for o in posted})
    entry_ids = dict(zip(dates, sql.reserve_ids(JournalEntry, len(dates)), strict=True))
    txn_ids = sql.reserve_ids(LoanTransaction, len(posted))
    clearing_id = account_id(clearing)
    accounts: dict[str, int] = {}
    journal_rows: list[tuple[Any, ...]] = []
    clearing_total = dict.fromkeys(dates, 0)
    transactions, parts = [], []
    text = _fen_text
    for outcome, txn_id in zip(posted, txn_ids, strict=True):
        payment, loan, line = cast(fen.Payment, outcome.payment), cast(LoanState, outcome.loan), outcome.line
        totals = payment.totals
        outcome.txn_id = txn_id
        entry_date = cast(dt.date, outcome.entry_date)
        entry_id = entry_ids[entry_date]
        clearing_total[entry_date] += money_fen(cast(Decimal, line.amount))
        for account, debit, credit in outcome.journal:
            account_pk = accounts.get(account) or accounts.setdefault(account, account_id(account))
            journal_rows.append((entry_id, account_pk, loan.pk, text(debit), text(credit)))
        for row, component, amount in payment.parts:
            parts.append((txn_id, row.pk, component, text(amount)))
        transactions.append((
            txn_id, loan.pk, REPAYMENT, POSTED, BANK_FILE, line.amount, text(totals["principal"]),
            text(totals["interest"]), text(totals["penalty"]), text(totals["fee"]), text(payment.advance),
            line.paid_on, channel.pk, line.txn_id[:80], "", None, now, user_id,
        ))  # fmt: skip
    label = f"bank statement #{statement_id} {chunk_label}".strip()
    entries = [(entry_ids[day], day, EntryKind.REPAYMENT.value, label[:200], None, now, user_id) for day in dates]
    journal_rows += [(entry_ids[day], clearing_id, None, text(clearing_total[day]), "0.00") for day in dates]
    sql.insert(JournalEntry, ENTRY_COLUMNS, entries)
    sql.insert(JournalLine, JOURNAL_LINE_COLUMNS, journal_rows)
    sql.insert(LoanTransaction, TXN_COLUMNS, transactions)
    sql.insert(TransactionPart, PART_COLUMNS, parts)
    sql.insert(StatementLine, LINE_COLUMNS, [
        (statement_id, channel.pk, o.line.line_no, o.line.txn_id, (o.contract_no or o.line.contract_no)[:40],
         o.line.memo, o.line.amount, o.line.paid_on, o.result, o.note[:200], o.txn_id)
        for o in outcomes
    ])  # fmt: skip
    changed_rows = {pk: row for o in posted for pk, row in cast(fen.Payment, o.payment).changed.items()}
    sql.update(Installment, ROW_UPDATE, [
        (r.pk, r.status, r.paid_on, text(r.paid[fen.PRINCIPAL]), text(r.paid[fen.INTEREST]), text(r.paid[fen.FEE]),
         text(r.paid[fen.PENALTY]), text(r.accrued))
        for r in changed_rows.values()
    ])  # fmt: skip
    changed_loans = {cast(LoanState, o.loan).pk: cast(LoanState, o.loan) for o in posted}
    sql.update(Loan, LOAN_UPDATE, [
        (loan.pk, text(loan.outstanding), text(loan.advance), loan.status, loan.paid_off_on, loan.maturity_date)
        for loan in changed_loans.values()
    ])  # fmt: skip
    counts = dict.fromkeys(MatchResult.values, 0)
    amounts = dict.fromkeys(MatchResult.values, ZERO)
    for outcome in outcomes:
        counts[outcome.result] += 1
        amounts[outcome.result] += outcome.line.amount or ZERO
    return ChunkResult(outcomes, counts, amounts, entries=len(entries))
