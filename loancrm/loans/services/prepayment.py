"""Payoff quotes, full payoff and partial prepayment with a regenerated schedule.

Conventions: interest to date for the current period is its scheduled interest × days elapsed / days in the period
(the whole period's interest on its due date, none on the day the previous period fell due); overdue amounts are
settled first through the waterfall; the prepaid principal and interest to date are recorded on the current period
of the new schedule version, whose remaining periods come from ``schedule.reschedule`` (the old version is kept
unchanged for history). A payoff ends the schedule on the payoff date; any surplus is held as advance.

Invariants: the new version's principal column still sums to the loan principal; a partial prepayment leaves some
principal owing (paying everything is a payoff); the whole amount is accounted for.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest
from django.utils.translation import gettext as _

from loancrm.core.audit import audit_event
from loancrm.core.business_date import current_business_date
from loancrm.core.money import ZERO, money_str, quantize_money
from loancrm.ledger.posting import dr
from loancrm.loans.allocation import Component, allocate_payment, parse_order
from loancrm.loans.choices import InstallmentStatus, Source, TxnKind
from loancrm.loans.errors import PrepaymentRefused
from loancrm.loans.models import Installment, Loan, LoanTransaction
from loancrm.loans.rows import is_settled, open_dues, outstanding
from loancrm.loans.schedule import Keep, Method, ScheduleError, reschedule
from loancrm.loans.services.common import checked_amount, checked_value_date, current_rows, lock_open_loan
from loancrm.loans.services.payments import clearing_account
from loancrm.loans.services.settlement import Posting, write


@dataclass(frozen=True)
class PayoffQuote:
    as_of: dt.date
    overdue: Decimal
    interest_to_date: Decimal
    fee: Decimal
    principal: Decimal
    advance: Decimal

    @property
    def gross(self) -> Decimal:
        return self.overdue + self.interest_to_date + self.fee + self.principal

    @property
    def total(self) -> Decimal:
        """What the customer pays to close the loan on ``as_of`` (the advance held already counts)."""
        return max(self.gross - self.advance, ZERO)

    def as_dict(self) -> dict[str, str]:
        return {
            "as_of": self.as_of.isoformat(),
            "overdue": money_str(self.overdue),
            "interest_to_date": money_str(self.interest_to_date),
            "fee": money_str(self.fee),
            "principal": money_str(self.principal),
            "advance": money_str(self.advance),
            "total": money_str(self.total),
        }


@dataclass(frozen=True)
class _Position:
    overdue_rows: list[Installment]
    current: Installment
    later: list[Installment]
    period_start: dt.date
    days: int
    period_days: int
    interest_to_date: Decimal


def _position(loan: Loan, rows: list[Installment], as_of: dt.date) -> _Position:
    unpaid = [row for row in rows if not is_settled(row)]
    overdue = [row for row in unpaid if row.due_date < as_of]
    ahead = [row for row in unpaid if row.due_date >= as_of]
    if not ahead:
        raise PrepaymentRefused(_("No instalment is left to prepay; pay what is overdue instead."))
    current = ahead[0]
    earlier = [row.due_date for row in rows if row.period < current.period]
    start = max(earlier) if earlier else loan.start_date
    period_days = max((current.due_date - start).days, 1)
    days = min(max((as_of - start).days, 0), period_days)
    gross = quantize_money(current.interest_due * days / period_days)
    return _Position(overdue, current, ahead[1:], start, days, period_days, max(gross - current.interest_paid, ZERO))


def _quote(loan: Loan, rows: list[Installment], as_of: dt.date) -> tuple[PayoffQuote, _Position]:
    pos = _position(loan, rows, as_of)
    overdue = sum((due.total for due in open_dues(pos.overdue_rows)), ZERO)
    principal = sum((outstanding(row, Component.PRINCIPAL) for row in [pos.current, *pos.later]), ZERO)
    fee = outstanding(pos.current, Component.FEE) + outstanding(pos.current, Component.PENALTY)
    quote = PayoffQuote(as_of, overdue, pos.interest_to_date, fee, principal, loan.advance_balance)
    return quote, pos


def payoff_quote(*, loan: Loan, as_of: dt.date) -> PayoffQuote:
    """What closing ``loan`` on ``as_of`` costs (read only)."""
    return _quote(loan, current_rows(loan), as_of)[0]


def prepayment_post(
    *,
    loan_id: int,
    amount: Any,
    value_date: dt.date,
    actor: Any,
    keep: Keep | str = Keep.TERM,
    payoff: bool = False,
    use_advance: bool = False,
    source: Source = Source.MANUAL,
    channel: Any = None,
    reference: str = "",
    request: HttpRequest | None = None,
) -> LoanTransaction:
    """A partial prepayment (``keep`` term or payment) or, with ``payoff``, the full payoff of the loan."""
    amount = checked_amount(amount)
    keep = Keep(keep)
    business_date = current_business_date()
    checked_value_date(value_date, business_date)
    with transaction.atomic():
        loan = lock_open_loan(loan_id)
        rows = current_rows(loan)
        quote, pos = _quote(loan, rows, value_date)
        from_advance = loan.advance_balance if (use_advance or payoff) else ZERO
        funds = amount + from_advance
        first = quote.overdue + quote.interest_to_date + quote.fee
        if payoff and funds < quote.gross:
            raise PrepaymentRefused(
                _("The payoff amount on %(date)s is %(total)s.")
                % {"date": value_date.isoformat(), "total": money_str(quote.total)},
                fields={"amount": [money_str(quote.total)]},
            )
        prepaid = quote.principal if payoff else funds - first
        if not payoff and not ZERO < prepaid < quote.principal:
            raise PrepaymentRefused(
                _("A partial prepayment must cover %(first)s overdue and interest to date and leave principal owing;"
                  " to repay everything use the payoff.") % {"first": money_str(first)},
                fields={"amount": [money_str(first)]},
            )  # fmt: skip
        funding = [dr(clearing_account(channel.code if channel else None), amount, loan.pk)]
        posting = Posting(
            loan=loan,
            kind=TxnKind.PAYOFF if payoff else TxnKind.PREPAYMENT,
            amount=amount,
            value_date=value_date,
            source=source,
            funding=funding,
            from_advance=from_advance,
            to_advance=funds - quote.gross if payoff else ZERO,
            channel_id=channel.pk if channel else None,
            reference=reference,
            from_version=loan.schedule_version,
        )
        if quote.overdue:
            dues = open_dues(pos.overdue_rows)
            allocation = allocate_payment(
                quote.overdue, dues, value_date=value_date, order=parse_order(loan.allocation_order),
                include_current=False,
            )  # fmt: skip
            posting.apply(allocation, {row.pk: row for row in pos.overdue_rows})
        new_rows = _new_version(loan, rows, pos, prepaid=prepaid, keep=keep, payoff=payoff, value_date=value_date)
        current = new_rows[pos.current.period]
        for component, value in (
            (Component.FEE, outstanding(current, Component.FEE)),
            (Component.PENALTY, outstanding(current, Component.PENALTY)),
            (Component.INTEREST, pos.interest_to_date),
            (Component.PRINCIPAL, prepaid),
        ):
            if value > 0:
                posting.pay(current, component, value)
        posting.to_version = loan.schedule_version
        txn = write(posting, current_rows=list(new_rows.values()), business_date=business_date, actor=actor)
        audit_event(
            actor,
            "prepayment.posted",
            loan,
            {
                "transaction": txn.pk,
                "payoff": payoff,
                "keep": keep.value,
                "amount": money_str(amount),
                "from_advance": money_str(from_advance),
                "value_date": value_date.isoformat(),
                "principal_prepaid": money_str(prepaid),
                "quote": quote.as_dict(),
                "schedule_version": [posting.from_version, posting.to_version],
            },
            request,
        )
    return txn


def _new_version(
    loan: Loan,
    rows: list[Installment],
    pos: _Position,
    *,
    prepaid: Decimal,
    keep: Keep,
    payoff: bool,
    value_date: dt.date,
) -> dict[int, Installment]:
    """Write the new schedule version (rows keyed by period) and point the loan at it."""
    version = (Installment.objects.filter(loan_id=loan.pk).aggregate(v=Max("version"))["v"] or 0) + 1
    current = pos.current
    remaining = sum((outstanding(row, Component.PRINCIPAL) for row in [current, *pos.later]), ZERO) - prepaid
    keep_rows = [row for row in rows if row.period < current.period]
    new: list[Installment] = [_copy(row, version, value_date) for row in keep_rows]
    carried_principal = current.principal_paid
    carried_interest = current.interest_paid
    head = _copy(current, version, value_date)
    head.principal_due = carried_principal + prepaid
    head.interest_due = carried_interest + pos.interest_to_date
    head.interest_accrued = max(current.interest_accrued, ZERO)
    if payoff or remaining == 0:
        head.due_date = value_date
        new.append(head)
    else:
        lines = _regenerated(loan, rows, pos, remaining, keep)
        first, rest = lines[0], lines[1:]
        head.principal_due += first.principal
        head.interest_due += first.interest
        new.append(head)
        fees = {row.period: row.fee_due for row in pos.later}
        previous_due = head.due_date
        for line in rest:
            new.append(
                Installment(
                    loan_id=loan.pk,
                    version=version,
                    period=line.period,
                    due_date=line.due_date,
                    period_start=previous_due,
                    principal_due=line.principal,
                    interest_due=line.interest,
                    fee_due=fees.get(line.period, ZERO),
                )
            )
            previous_due = line.due_date
    created = Installment.objects.bulk_create(new)
    loan.schedule_version = version
    return {row.period: row for row in created}


def _regenerated(loan: Loan, rows: list[Installment], pos: _Position, remaining: Decimal, keep: Keep) -> list[Any]:
    current, method = pos.current, Method(loan.method)
    fraction = None
    if pos.days:
        fraction = Decimal(pos.period_days - pos.days) / Decimal(pos.period_days)
    try:
        schedule = reschedule(
            balance=remaining,
            annual_rate=loan.annual_rate,
            method=method,
            remaining_due_dates=[current.due_date, *(row.due_date for row in pos.later)],
            first_period=current.period,
            keep=keep,
            payment=current.principal_due + current.interest_due if pos.later else None,
            principal_per_period=current.principal_due if pos.later else None,
            first_fraction=fraction,
            period_start=pos.period_start + dt.timedelta(days=pos.days),
            day_count=loan.day_count,
        )
    except ScheduleError as exc:
        raise PrepaymentRefused(fields={exc.field: [str(exc)]}) from None
    return list(schedule.lines)


def _copy(row: Installment, version: int, value_date: dt.date) -> Installment:
    """The row as the new version starts it (a row this prepayment has just settled is paid on its value date)."""
    settled = is_settled(row)
    return Installment(
        loan_id=row.loan_id,
        version=version,
        period=row.period,
        due_date=row.due_date,
        period_start=row.period_start,
        principal_due=row.principal_due,
        interest_due=row.interest_due,
        fee_due=row.fee_due,
        penalty_due=row.penalty_due,
        interest_accrued=row.interest_accrued,
        principal_paid=row.principal_paid,
        interest_paid=row.interest_paid,
        fee_paid=row.fee_paid,
        penalty_paid=row.penalty_paid,
        status=InstallmentStatus.PAID if settled else row.status,
        paid_on=(row.paid_on or value_date) if settled else None,
    )
