"""Signed applications for disbursement tests, moved along the statuses with the lifecycle services, and helpers
for the checks other stages register (contract signed, conditions met)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from loancrm.applications import lifecycle
from loancrm.applications.choices import Status
from loancrm.applications.lifecycle import ApprovedTerms, CheckResult
from loancrm.applications.models import Application
from loancrm.applications.services import application_set_status
from loancrm.applications.tests.factories import make_application, make_customer, make_version
from loancrm.disbursements import services

TERMS = ApprovedTerms(amount=Decimal("50000.00"), annual_rate=Decimal("0.144000"), term_months=12,
                      method="equal_installment")  # fmt: skip
GOOD_ACCOUNT = "6222020200112233445"
FAILING_ACCOUNT = "6222020200112230000"


def make_signed(agent: Any, *, terms: ApprovedTerms = TERMS, customer: Any = None, version: Any = None,
                **values: Any) -> Application:  # fmt: skip
    """An application of ``agent``'s customer, approved with ``terms`` and signed."""
    customer = customer or make_customer(agent)
    version = version or make_version()
    application = make_application(agent, customer, version, **values)
    for status in (Status.SUBMITTED, Status.PRE_SCREENING, Status.MANUAL_REVIEW):
        application_set_status(application_id=application.pk, status=status, actor=agent)
    lifecycle.credit_approve(application_id=application.pk, terms=terms, actor=agent)
    for status in (Status.CONTRACTING, Status.SIGNED):
        application_set_status(application_id=application.pk, status=status, actor=agent)
    return Application.objects.select_related("customer", "product_version__product").get(pk=application.pk)


def verify_account(application: Application, actor: Any, account_no: str = GOOD_ACCOUNT) -> Any:
    account = services.penny_test_start(application_id=application.pk, bank_name="中国工商银行",
                                        account_no=account_no, actor=actor)  # fmt: skip
    return services.penny_test_confirm(verification_id=account.pk, amount=account.penny_amount, actor=actor)


class FakeChecks:
    """Stands in for the checks other stages register (contract signed, conditions met): while it is in place the
    registry holds only these two, whose outcome the test sets; ``remove()`` restores the registry."""

    def __init__(self) -> None:
        self.contract_ok = True
        self.conditions_ok = True
        self._saved = list(lifecycle._checks)
        lifecycle._checks[:] = []
        lifecycle.add_disbursement_check(self.contract)
        lifecycle.add_disbursement_check(self.conditions)

    def contract(self, application: Application) -> CheckResult:
        return CheckResult(
            "contract_signed", "合同已签署", self.contract_ok, "" if self.contract_ok else "借款人未签署"
        )

    def conditions(self, application: Application) -> CheckResult:
        return CheckResult(
            "conditions_met", "放款条件已落实", self.conditions_ok, "" if self.conditions_ok else "担保人未签"
        )

    def remove(self) -> None:
        lifecycle._checks[:] = self._saved


HANDLER_REGISTRIES = ("_review_handlers", "_referred_back", "_approved", "_rejected", "_signed", "_disbursed")


class OwnHandlersOnly:
    """Keeps only this app's lifecycle handlers registered (other stages' side effects stay out of these tests);
    ``restore()`` puts the registries back."""

    def __init__(self) -> None:
        self._saved = {name: list(getattr(lifecycle, name)) for name in HANDLER_REGISTRIES}
        for name in HANDLER_REGISTRIES:
            registry = getattr(lifecycle, name)
            registry[:] = [h for h in registry if getattr(h, "__module__", "").startswith("loancrm.disbursements")]

    def restore(self) -> None:
        for name, handlers in self._saved.items():
            getattr(lifecycle, name)[:] = handlers
