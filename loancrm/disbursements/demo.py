"""Demo disbursements: the demo applications the contract stage left ``signed`` get a bank account and most are
disbursed, through the same services as the pages (penny test, request, the simulator's signed callback run
directly instead of waiting for the task worker); one is left blocked (penny test pending) and one failed (the
simulator refuses an account ending in 0000, so “retry” and “cancel” can be shown).

Works on what the earlier stages left, found by status: nothing happens when no application is signed.
Idempotent: applications that already have a disbursement account are left alone.
"""

from __future__ import annotations

from typing import Any

from loancrm.accounts.models import User
from loancrm.applications.choices import Status
from loancrm.applications.models import Application
from loancrm.core.errors import DomainError
from loancrm.disbursements import services
from loancrm.disbursements.models import BankAccountVerification, DisbursementOrder
from loancrm.disbursements.tasks import simulator_answer

BANKS = ("中国工商银行", "中国建设银行", "中国农业银行", "中国银行", "招商银行", "交通银行")


def _account_no(pk: int, failing: bool = False) -> str:
    if failing:
        return f"62220202{pk:07d}0000"
    number = f"62220202{pk:011d}"
    return number if not number.endswith("0000") else number[:-1] + "1"


def _actor() -> Any:
    return User.objects.filter(username="ops").first() or User.objects.filter(is_superuser=True).first()


def _disburse(application: Application, actor: Any) -> DisbursementOrder | None:
    try:
        order = services.disbursement_request(application_id=application.pk, actor=actor,
                                              idempotency_key=f"demo-{application.pk}")  # fmt: skip
    except DomainError:
        return None  # a check of another stage refused: the application stays in the queue, blocked
    services.disbursement_submit(order_id=order.pk, actor=actor)  # already done when on_commit ran; harmless
    order.refresh_from_db()
    if order.status == "submitted":
        simulator_answer(order.channel_reference)
    return order


def seed() -> list[str]:
    actor = _actor()
    done = BankAccountVerification.objects.values("application_id")
    signed = list(
        Application.objects.filter(status=Status.SIGNED).exclude(pk__in=done).select_related("customer").order_by("pk")
    )
    if actor is None or not signed:
        return []
    blocked = signed[-1] if len(signed) >= 2 else None
    failing = signed[-2] if len(signed) >= 3 else None
    for n, application in enumerate(signed):
        try:
            account = services.penny_test_start(
                application_id=application.pk, bank_name=BANKS[n % len(BANKS)],
                account_no=_account_no(application.pk, failing=application is failing),
                holder_name=application.customer.name, actor=actor,
            )  # fmt: skip
            if application is blocked:
                continue  # the customer has not confirmed the test amount yet
            services.penny_test_confirm(verification_id=account.pk, amount=account.penny_amount, actor=actor)
        except DomainError:
            continue
        _disburse(application, actor)
    return []
