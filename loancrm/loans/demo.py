"""Demo loans: thirty loans for the demo customers, spread over methods, rates, terms and the last eighteen months
before the business date, with their repayments posted through the loan services so every page shows real data.

Runs after the customers demo (INSTALLED_APPS order). Most loans are disbursed here and repaid through
``payment_post`` on their due dates from the ``DEMO`` payment channel — a few late, one partly, some stopping
(overdue now), one paying more than due (advance held); some are migrated with their repayments to date; one has a
partial prepayment keeping the term, one is paid off, one has a duplicate payment reversed. Every loan is booked
and repaid in its own transaction, so a loan exists only with its whole history.

Idempotent: nothing is added when demo loans (contract numbers starting ``DEMO``) already exist.

The demo payment channel ``DEMO`` signs its notifications with ``DEMO_CHANNEL_SECRET`` (demo only).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction

from loancrm.accounts.models import User
from loancrm.core.business_date import current_business_date
from loancrm.core.money import ZERO, quantize_money
from loancrm.customers.models import Customer
from loancrm.loans.choices import Origin, Source
from loancrm.loans.models import Installment, Loan, LoanTransaction, PaymentChannel
from loancrm.loans.rows import is_settled
from loancrm.loans.schedule import Method, add_months
from loancrm.loans.services import (
    HistoricPayment,
    LoanTerms,
    loan_book,
    payment_post,
    payment_reverse,
    payoff_quote,
    prepayment_post,
)
from loancrm.loans.services.booking import terms_schedule

CONTRACT_PREFIX = "DEMO"
DEMO_LOANS = 30
CHANNEL_CODE = "DEMO"
DEMO_CHANNEL_SECRET = "loancrm-demo-channel-secret-2026"  # noqa: S105 (demo only, documented above)

# profile: how the borrower has been paying
REGULAR, LATE, PARTIAL_CURED, STOPPED, PARTIAL_NOW, ADVANCE, PREPAY, PAYOFF, DUPLICATE, MIGRATED = (
    "regular", "late", "partial_cured", "stopped", "partial_now", "advance", "prepay", "payoff", "duplicate",
    "migrated",
)  # fmt: skip
PROFILES = (
    [PREPAY, PAYOFF, DUPLICATE, ADVANCE, PARTIAL_NOW, PARTIAL_CURED, LATE, LATE, LATE]
    + [STOPPED] * 3
    + [MIGRATED] * 6
    + [REGULAR] * (DEMO_LOANS - 18)
)


@dataclass(frozen=True)
class Product:
    code: str
    methods: tuple[str, ...]
    terms: tuple[int, ...]
    principal: tuple[int, int]
    rates: tuple[str, ...]


PRODUCTS = {
    "CONSUMER": Product("CONSUMER", (Method.EQUAL_INSTALLMENT, Method.EQUAL_PRINCIPAL), (12, 24, 36), (20, 200),
                        ("0.0720", "0.0960", "0.1200", "0.1500", "0.1800")),
    "CAR": Product("CAR", (Method.EQUAL_INSTALLMENT,), (24, 36), (60, 300), ("0.0650", "0.0780", "0.0880")),
    "BRIDGE": Product("BRIDGE", (Method.BULLET, Method.INTEREST_ONLY), (6, 12), (50, 300), ("0.0900", "0.1080")),
    "SME": Product("SME", (Method.INTEREST_ONLY, Method.EQUAL_PRINCIPAL), (12, 24), (300, 2000),
                   ("0.0600", "0.0720", "0.0850")),
}  # fmt: skip


@dataclass(frozen=True)
class Plan:
    customer: Customer
    terms: LoanTerms
    profile: str


def demo_channel() -> PaymentChannel:
    """The ``DEMO`` channel (with its clearing account), created once through the channel service."""
    from loancrm.loans.channels import channel_create

    channel = PaymentChannel.objects.filter(code=CHANNEL_CODE).first()
    return channel or channel_create(code=CHANNEL_CODE, name="演示支付渠道", secret=DEMO_CHANNEL_SECRET, actor=None)


def _borrowers(rng: random.Random) -> Iterator[Customer]:
    """Individuals taken in turn from each owner (so every sales agent has some loans), then companies."""
    by_owner: dict[int, list[Customer]] = {}
    for customer in Customer.objects.filter(kind="individual", owner__isnull=False).order_by("pk"):
        by_owner.setdefault(customer.owner_id or 0, []).append(customer)
    queues = [rng.sample(rows, len(rows)) for _name, rows in sorted(by_owner.items())]
    while any(queues):
        for queue in queues:
            if queue:
                yield queue.pop()


def _method(profile: str, drawn: str) -> str:
    """Prepayment and payoff on an equal-instalment loan; every other special case on one that pays monthly."""
    if profile in (PAYOFF, PREPAY):
        return Method.EQUAL_INSTALLMENT
    if drawn == Method.BULLET and profile not in (REGULAR, MIGRATED):
        return Method.INTEREST_ONLY
    return drawn


def _plans(business_date: dt.date) -> list[Plan]:
    rng = random.Random(2026)  # noqa: S311 (reproducible demo data)
    companies = list(Customer.objects.filter(kind="corporate").order_by("pk")[:4])
    people = _borrowers(rng)
    plans: list[Plan] = []
    for index, profile in enumerate(PROFILES):
        product = PRODUCTS[("CONSUMER", "CONSUMER", "CAR", "BRIDGE", "CONSUMER", "SME")[index % 6]]
        if profile in (PAYOFF, PREPAY):
            product = PRODUCTS["CONSUMER"]
        customer = companies.pop() if product.code == "SME" and companies else next(people, None)
        if customer is None:
            break
        term = rng.choice(product.terms)
        months_back = {MIGRATED: rng.randint(12, 18), PAYOFF: 14, PREPAY: 15, STOPPED: rng.randint(8, 14),
                       DUPLICATE: 9, REGULAR: rng.randint(1, 17)}.get(profile, rng.randint(3, 17))  # fmt: skip
        if product.code == "BRIDGE":
            months_back = min(months_back, term - 1) if profile != MIGRATED else 5
        start = add_months(business_date, -months_back).replace(day=rng.randint(1, 28))
        start = min(start, business_date - dt.timedelta(days=1))
        low, high = product.principal
        terms = LoanTerms(
            contract_no=f"{CONTRACT_PREFIX}{start:%Y%m}{index + 1:03d}",
            product_code=product.code,
            principal=Decimal(rng.randrange(low, high + 1, 5) * 1000),
            annual_rate=Decimal(rng.choice(product.rates)),
            term_months=term,
            method=_method(profile, rng.choice(product.methods)),
            start_date=start,
        )
        plans.append(Plan(customer, terms, profile))
    return plans


def _rows(loan: Loan) -> list[Installment]:
    return list(Installment.objects.filter(loan_id=loan.pk, version=loan.schedule_version).order_by("period"))


def _owed(loan: Loan, on: dt.date) -> Decimal:
    """What the loan owes on ``on``: every unpaid amount of instalments due that day or before."""
    return sum((r.due_total - r.paid_total for r in _rows(loan) if r.due_date <= on and not is_settled(r)), ZERO)


def _pay(loan: Loan, amount: Decimal, on: dt.date, channel: PaymentChannel, ref: str) -> LoanTransaction | None:
    if amount <= 0:
        return None
    return payment_post(loan_id=loan.pk, amount=amount, value_date=on, actor=None, source=Source.CHANNEL,
                        channel=channel, reference=ref)  # fmt: skip


def _repay(loan: Loan, plan: Plan, business_date: dt.date, channel: PaymentChannel, ops: Any) -> None:
    """Post the repayments of a disbursed loan up to the business date, the way its profile pays."""
    rng = random.Random(loan.contract_no)  # noqa: S311 (reproducible demo data)
    due_dates = [r.due_date for r in _rows(loan) if r.due_date <= business_date]
    stop_after = len(due_dates) - rng.randint(1, 3) if plan.profile == STOPPED else len(due_dates)
    event_at = len(due_dates) // 2
    for number, due in enumerate(due_dates):
        loan.refresh_from_db()
        if loan.status not in ("active", "overdue") or number >= stop_after:
            break
        owed = _owed(loan, due)
        on, amount = due, owed
        last = number == len(due_dates) - 1
        if plan.profile == LATE and rng.random() < 0.35:
            on = min(due + dt.timedelta(days=rng.randint(3, 18)), business_date)
        if plan.profile == PARTIAL_CURED and number == event_at:
            amount = quantize_money(owed * Decimal("0.6"))
        if plan.profile == PARTIAL_NOW and last:
            amount = quantize_money(owed * Decimal("0.5"))
        if plan.profile == ADVANCE and last:
            amount = owed + Decimal("1500.00")
        _pay(loan, amount, on, channel, f"DEMO-{loan.pk}-{number + 1}")
        if plan.profile == DUPLICATE and last:
            duplicate = _pay(loan, owed, on, channel, f"DEMO-{loan.pk}-{number + 1}-DUP")
            if duplicate is not None:
                payment_reverse(transaction_id=duplicate.pk, reason="银行重复入账，冲正", actor=ops)
        if plan.profile == PREPAY and number == event_at:
            on = due + dt.timedelta(days=12)
            quote = payoff_quote(loan=loan, as_of=on)
            extra = (quote.principal * Decimal("0.3")).quantize(Decimal("1000"))
            amount = quote.overdue + quote.interest_to_date + quote.fee + extra
            prepayment_post(loan_id=loan.pk, amount=amount, value_date=on, actor=ops, keep="term",
                            source=Source.MANUAL, reference="客户申请部分提前还款，保持期限")  # fmt: skip
        if plan.profile == PAYOFF and number == len(due_dates) - 3:
            on = due + dt.timedelta(days=10)
            quote = payoff_quote(loan=loan, as_of=on)
            prepayment_post(loan_id=loan.pk, amount=quote.total, value_date=on, actor=ops, payoff=True,
                            source=Source.MANUAL, reference="客户申请提前结清")  # fmt: skip
            break


def _history(plan: Plan, business_date: dt.date) -> list[HistoricPayment]:
    """The repayments a migrated loan brings: every instalment due so far, on its due date (the last one missed
    for every third loan)."""
    lines = [line for line in terms_schedule(plan.terms).lines if line.due_date <= business_date]
    if int(plan.terms.contract_no[-3:]) % 3 == 0 and lines:
        lines = lines[:-1]
    return [HistoricPayment(line.due_date, line.payment, f"MIG-{line.period}") for line in lines]


def seed() -> list[str]:
    if Loan.objects.filter(contract_no__startswith=CONTRACT_PREFIX).exists():
        return []
    business_date = current_business_date()
    ops = User.objects.filter(username="ops").first()
    with transaction.atomic():
        channel = demo_channel()
    for plan in _plans(business_date):
        with transaction.atomic():
            if plan.profile == MIGRATED:
                loan_book(customer=plan.customer, terms=plan.terms, actor=ops, origin=Origin.MIGRATED,
                          history=_history(plan, business_date))  # fmt: skip
                continue
            loan = loan_book(customer=plan.customer, terms=plan.terms, actor=ops, origin=Origin.DISBURSED)
            _repay(loan, plan, business_date, channel, ops)
    return []
