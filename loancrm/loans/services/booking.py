"""Booking a loan: from disbursement (#8) or from an existing portfolio with its repayments to date.

Invariants: the schedule comes from ``loancrm.loans.schedule``; a disbursed loan posts Dr principal receivable /
Cr disbursement clearing, a migrated one Dr principal receivable / Cr migration opening balance, and its historical
repayments replay through the same waterfall with the migration account on the other side (so no income is
recognised twice); one audit event per booking; a contract number books once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest

from loancrm.core.audit import audit_event
from loancrm.core.business_date import current_business_date
from loancrm.core.money import money_str, to_rate
from loancrm.ledger.choices import Acct, EntryKind
from loancrm.ledger.posting import cr, dr, journal_post
from loancrm.loans.allocation import DEFAULT_ORDER, parse_order
from loancrm.loans.choices import Origin, Source, TxnKind
from loancrm.loans.errors import ContractExists, InvalidAmount, InvalidTerms
from loancrm.loans.models import Installment, Loan, LoanTransaction
from loancrm.loans.rows import rows_from_schedule
from loancrm.loans.schedule import Schedule, ScheduleError, build_schedule
from loancrm.loans.services.common import checked_amount, checked_value_date
from loancrm.loans.services.payments import post_locked

DEFAULT_ORDER_TEXT = ",".join(DEFAULT_ORDER)


@dataclass(frozen=True)
class LoanTerms:
    contract_no: str
    product_code: str
    principal: Decimal
    annual_rate: Decimal
    term_months: int
    method: str
    start_date: dt.date
    term_days: int | None = None
    day_count: int = 360
    allocation_order: str = DEFAULT_ORDER_TEXT


@dataclass(frozen=True)
class HistoricPayment:
    value_date: dt.date
    amount: Decimal
    reference: str = ""


def terms_schedule(terms: LoanTerms) -> Schedule:
    """The schedule of ``terms`` (``InvalidTerms`` naming the field when they cannot make one)."""
    fields: dict[str, list[str]] = {}
    if not terms.contract_no.strip() or len(terms.contract_no) > 40:
        fields["contract_no"] = [str(InvalidTerms.default_message)]
    if not terms.product_code.strip():
        fields["product_code"] = [str(InvalidTerms.default_message)]
    try:
        parse_order(terms.allocation_order)
    except ValueError as exc:
        fields["allocation_order"] = [str(exc)]
    if fields:
        raise InvalidTerms(fields=fields)
    try:
        principal = checked_amount(terms.principal, "principal")
        rate = to_rate(terms.annual_rate)
    except InvalidAmount as exc:
        raise InvalidTerms(fields=exc.fields) from None
    except (TypeError, ValueError) as exc:
        raise InvalidTerms(fields={"annual_rate": [str(exc)]}) from None
    try:
        return build_schedule(
            principal=principal,
            annual_rate=rate,
            term_months=terms.term_months,
            method=terms.method,
            start_date=terms.start_date,
            term_days=terms.term_days,
            day_count=terms.day_count,
        )
    except ScheduleError as exc:
        raise InvalidTerms(fields={exc.field: [str(exc)]}) from None


def loan_book(
    *,
    customer: Any,
    terms: LoanTerms,
    actor: Any,
    origin: Origin = Origin.DISBURSED,
    history: Sequence[HistoricPayment] = (),
    request: HttpRequest | None = None,
) -> Loan:
    """Create the loan, its schedule, the booking entry and (migrated loans) replay ``history`` in date order."""
    schedule = terms_schedule(terms)
    business_date = current_business_date()
    checked_value_date(terms.start_date, business_date)
    if history and origin != Origin.MIGRATED:
        raise InvalidTerms(fields={"history": ["only a migrated loan brings repayments to date"]})
    with transaction.atomic():
        if Loan.objects.filter(contract_no=terms.contract_no).exists():
            raise ContractExists(fields={"contract_no": [terms.contract_no]})
        try:
            with transaction.atomic():
                loan = Loan.objects.create(
                    contract_no=terms.contract_no,
                    customer=customer,
                    product_code=terms.product_code,
                    officer_id=customer.owner_id,
                    org_unit_id=customer.org_unit_id,
                    origin=origin,
                    principal=terms.principal,
                    annual_rate=to_rate(terms.annual_rate),
                    term_months=terms.term_months,
                    method=terms.method,
                    start_date=terms.start_date,
                    maturity_date=schedule.lines[-1].due_date,
                    day_count=terms.day_count,
                    allocation_order=terms.allocation_order,
                    principal_outstanding=terms.principal,
                    booked_by=actor if getattr(actor, "pk", None) else None,
                )
        except IntegrityError:
            raise ContractExists(fields={"contract_no": [terms.contract_no]}) from None
        Installment.objects.bulk_create(rows_from_schedule(loan.pk, 1, schedule, terms.start_date))
        migrated = origin == Origin.MIGRATED
        entry = journal_post(
            entry_date=terms.start_date,
            kind=EntryKind.MIGRATION if migrated else EntryKind.DISBURSEMENT,
            legs=[
                dr(Acct.PRINCIPAL, terms.principal, loan.pk),
                cr(Acct.MIGRATION if migrated else Acct.DISBURSEMENT, terms.principal, loan.pk),
            ],
            memo=f"{loan.contract_no} {'migration' if migrated else 'disbursement'}",
            loan_id=loan.pk,
            actor=actor,
            move_out_of_closed=True,
        )
        LoanTransaction.objects.create(
            loan=loan,
            kind=TxnKind.MIGRATION if migrated else TxnKind.DISBURSEMENT,
            source=Source.MIGRATION if migrated else Source.SYSTEM,
            amount=terms.principal,
            principal=terms.principal,
            value_date=terms.start_date,
            journal_entry=entry,
            posted_by=loan.booked_by,
        )
        for payment in sorted(history, key=lambda p: p.value_date):
            post_locked(
                loan,
                amount=checked_amount(payment.amount),
                value_date=checked_value_date(max(payment.value_date, terms.start_date), business_date),
                source=Source.MIGRATION,
                clearing=Acct.MIGRATION,
                income_account=Acct.MIGRATION,
                reference=payment.reference,
                actor=actor,
                business_date=business_date,
            )
        audit_event(
            actor,
            "loan.booked",
            loan,
            {
                "contract_no": loan.contract_no,
                "origin": origin,
                "principal": money_str(terms.principal),
                "annual_rate": str(loan.annual_rate),
                "term_months": terms.term_months,
                "method": terms.method,
                "history_payments": len(history),
            },
            request,
        )
    return loan
