"""The pre-disbursement checklist: the checks other stages register (contract signed, conditions met) plus the
application's status, its bank account's penny test and the limits (``limits.exceeded``)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from loancrm.applications import lifecycle
from loancrm.applications.choices import Status
from loancrm.applications.lifecycle import CheckResult
from loancrm.applications.models import Application
from loancrm.core.money import money_str
from loancrm.disbursements import limits
from loancrm.disbursements.choices import OrderStatus, PennyStatus
from loancrm.disbursements.models import BankAccountVerification, DisbursementOrder
from loancrm.loans.choices import OPEN_STATUSES
from loancrm.loans.models import Loan

ZERO = Decimal("0.00")


def _setting(name: str, default: str) -> Decimal:
    return Decimal(str(getattr(settings, name, default)))


def current_account(application: Application) -> BankAccountVerification | None:
    return BankAccountVerification.objects.filter(application=application, is_current=True).first()


def disbursement_amount(application: Application) -> Decimal | None:
    """What is paid out: the approved amount."""
    return application.approved_amount


def _status_check(application: Application) -> CheckResult:
    passed = application.status == Status.SIGNED
    detail = (
        ""
        if passed
        else _("The application is “%(status)s”, not “contract signed”.") % {"status": application.get_status_display()}
    )
    return CheckResult("status_signed", _("Contract signed (application status)"), passed, detail)


def _account_check(application: Application) -> CheckResult:
    account = current_account(application)
    label = _("Bank account verified by penny test")
    if account is None:
        return CheckResult("bank_account", label, False, _("No disbursement account yet: start a penny test."))
    if account.status != PennyStatus.VERIFIED:
        detail = _("The penny test of %(account)s is “%(status)s”.") % {
            "account": account.masked,
            "status": account.get_status_display(),
        }
        return CheckResult("bank_account", label, False, detail)
    return CheckResult("bank_account", label, True, f"{account.bank_name} {account.masked}")


def limit_inputs(application: Application) -> limits.LimitInputs:
    amount = disbursement_amount(application) or ZERO
    contract_no = lifecycle.contract_number(application)
    outstanding = (
        Loan.objects.filter(customer_id=application.customer_id, status__in=OPEN_STATUSES).aggregate(
            s=Sum("principal_outstanding")
        )["s"]
        or ZERO
    )
    pending = DisbursementOrder.objects.filter(
        application__customer_id=application.customer_id, status__in=[OrderStatus.CREATED, OrderStatus.SUBMITTED]
    ).exclude(contract_no=contract_no)
    outstanding += pending.aggregate(s=Sum("amount"))["s"] or ZERO
    today = timezone.localdate()
    today_orders = DisbursementOrder.objects.filter(
        Q(status=OrderStatus.SUCCEEDED, completed_at__date=today)
        | Q(status__in=[OrderStatus.CREATED, OrderStatus.SUBMITTED], created_at__date=today)
    ).exclude(contract_no=contract_no)
    return limits.LimitInputs(
        amount=amount,
        approved_amount=application.approved_amount,
        product_max=application.product_version.max_amount,
        customer_outstanding=outstanding,
        customer_limit=_setting("DISBURSEMENT_CUSTOMER_LIMIT", "3000000.00"),
        disbursed_today=today_orders.aggregate(s=Sum("amount"))["s"] or ZERO,
        daily_cap=_setting("DISBURSEMENT_DAILY_CAP", "50000000.00"),
    )


def _limits_check(application: Application) -> CheckResult:
    inputs = limit_inputs(application)
    problems = limits.exceeded(inputs)
    texts = {
        limits.APPROVED: _("the amount is above the approved amount %(v)s") % {"v": money_str(inputs.approved_amount)}
        if inputs.approved_amount is not None
        else _("no approved amount"),
        limits.PRODUCT_MAX: _("above the product's maximum %(v)s") % {"v": money_str(inputs.product_max)},
        limits.CUSTOMER_LIMIT: _("the customer's outstanding %(o)s plus this loan exceeds the limit %(v)s")
        % {"o": money_str(inputs.customer_outstanding), "v": money_str(inputs.customer_limit)},
        limits.DAILY_CAP: _("today's disbursements %(o)s plus this loan exceed the daily cap %(v)s")
        % {"o": money_str(inputs.disbursed_today), "v": money_str(inputs.daily_cap)},
    }
    detail = "; ".join(texts[code] for code in problems) if problems else money_str(inputs.amount)
    return CheckResult("limits", _("Limits not exceeded"), not problems, detail)


def disbursement_checklist(application: Application) -> list[CheckResult]:
    """Every check in order: the registered ones (contract, conditions), then status, bank account and limits."""
    return [
        *lifecycle.disbursement_checks(application),
        _status_check(application),
        _account_check(application),
        _limits_check(application),
    ]


def failed_items(results: list[CheckResult]) -> dict[str, list[str]]:
    return {r.code: [f"{r.label}: {r.detail}" if r.detail else r.label] for r in results if not r.passed}
