"""Each checklist item blocks the request (listing the failed items, writing nothing); the penny test."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import override_settings

from loancrm.applications.choices import Status
from loancrm.applications.services import application_set_status
from loancrm.core.errors import PermissionDenied
from loancrm.core.models import AuditEvent
from loancrm.disbursements import services
from loancrm.disbursements.checklist import disbursement_checklist
from loancrm.disbursements.choices import PennyStatus
from loancrm.disbursements.errors import ChecklistFailed, InvalidBankAccount, PennyTestRefused
from loancrm.disbursements.models import BankAccountVerification, DisbursementOrder
from loancrm.disbursements.tests.factories import make_signed, verify_account
from loancrm.loans.tests.factories import make_loan

pytestmark = pytest.mark.django_db


def _refused(application, actor) -> dict:
    before = AuditEvent.objects.count()
    with pytest.raises(ChecklistFailed) as caught:
        services.disbursement_request(application_id=application.pk, actor=actor)
    assert DisbursementOrder.objects.count() == 0
    assert AuditEvent.objects.count() == before
    return caught.value.fields


def test_all_items_pass_for_a_signed_application_with_a_verified_account(people, checks, today):
    application = make_signed(people["agent"])
    verify_account(application, people["ops"])
    results = disbursement_checklist(application)
    assert [(r.code, r.passed) for r in results] == [
        ("contract_signed", True), ("conditions_met", True), ("status_signed", True), ("bank_account", True),
        ("limits", True),
    ]  # fmt: skip


def test_contract_not_signed_blocks(people, checks, today):
    application = make_signed(people["agent"])
    verify_account(application, people["ops"])
    checks.contract_ok = False
    assert list(_refused(application, people["ops"])) == ["contract_signed"]


def test_conditions_not_met_blocks(people, checks, today):
    application = make_signed(people["agent"])
    verify_account(application, people["ops"])
    checks.conditions_ok = False
    fields = _refused(application, people["ops"])
    assert fields == {"conditions_met": ["放款条件已落实: 担保人未签"]}


def test_pending_penny_test_blocks(people, checks, today):
    application = make_signed(people["agent"])
    services.penny_test_start(application_id=application.pk, bank_name="招商银行", account_no="6214830100998877",
                              actor=people["ops"])  # fmt: skip
    assert list(_refused(application, people["ops"])) == ["bank_account"]


def test_no_account_blocks(people, checks, today):
    application = make_signed(people["agent"])
    assert list(_refused(application, people["ops"])) == ["bank_account"]


def test_status_not_signed_blocks(people, checks, today):
    application = make_signed(people["agent"])
    verify_account(application, people["ops"])
    application_set_status(application_id=application.pk, status=Status.CANCELLED, actor=people["ops"])
    assert list(_refused(application, people["ops"])) == ["status_signed"]


def test_customer_limit_blocks(people, checks, today):
    application = make_signed(people["agent"])
    verify_account(application, people["ops"])
    make_loan(customer=application.customer, principal=Decimal("260000.00"), start_date=today)
    with override_settings(DISBURSEMENT_CUSTOMER_LIMIT="300000.00"):
        fields = _refused(application, people["ops"])
    assert list(fields) == ["limits"]
    assert "260000.00" in fields["limits"][0]


def test_daily_cap_blocks(people, checks, today):
    application = make_signed(people["agent"])
    verify_account(application, people["ops"])
    with override_settings(DISBURSEMENT_DAILY_CAP="49999.99"):
        assert list(_refused(application, people["ops"])) == ["limits"]


def test_amount_above_product_max_blocks(people, checks, today):
    from loancrm.applications.tests.factories import make_version

    application = make_signed(people["agent"], version=make_version(max_amount="40000.00"), amount="30000.00")
    verify_account(application, people["ops"])
    assert list(_refused(application, people["ops"])) == ["limits"]


def test_only_operations_may_request(people, checks, today):
    application = make_signed(people["agent"])
    verify_account(application, people["ops"])
    with pytest.raises(PermissionDenied):
        services.disbursement_request(application_id=application.pk, actor=people["director"])
    assert DisbursementOrder.objects.count() == 0


def test_penny_test_wrong_amount_is_refused_three_times_then_fails(people, today):
    application = make_signed(people["agent"])
    account = services.penny_test_start(application_id=application.pk, bank_name="招商银行",
                                        account_no="6214 8301 0099 8877", actor=people["ops"])  # fmt: skip
    assert account.account_tail == "8877" and account.masked == "**** **** **** 8877"
    assert Decimal("0.01") <= account.penny_amount <= Decimal("0.99")
    wrong = "0.99" if account.penny_amount != Decimal("0.99") else "0.98"
    with pytest.raises(PennyTestRefused, match="2"):
        services.penny_test_confirm(verification_id=account.pk, amount=wrong, actor=people["ops"])
    account.refresh_from_db()
    assert (account.status, account.attempts) == (PennyStatus.PENDING, 1)
    for _ in range(2):
        with pytest.raises(PennyTestRefused):
            services.penny_test_confirm(verification_id=account.pk, amount=wrong, actor=people["ops"])
    account.refresh_from_db()
    assert (account.status, account.attempts) == (PennyStatus.FAILED, 3)
    # the right amount no longer helps: a new test is needed
    with pytest.raises(services.InvalidTransition):
        services.penny_test_confirm(verification_id=account.pk, amount=account.penny_amount, actor=people["ops"])


def test_penny_test_right_amount_verifies_and_the_number_is_encrypted(people, today):
    application = make_signed(people["agent"])
    account = verify_account(application, people["ops"])
    assert account.status == PennyStatus.VERIFIED and account.verified_at is not None
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT account_no FROM disbursements_bankaccountverification WHERE id = %s", [account.pk])
        assert "6222020200112233445" not in cursor.fetchone()[0]


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"bank_name": "", "account_no": "6222020200112233445"}, "bank_name"),
        ({"bank_name": "工行", "account_no": "12345"}, "account_no"),
        ({"bank_name": "工行", "account_no": "62220202001122334x"}, "account_no"),
        ({"bank_name": "工行", "account_no": "6222020200112233445", "holder_name": "王五"}, "holder_name"),
    ],
)
def test_penny_test_invalid_account_writes_nothing(people, today, values, field):
    application = make_signed(people["agent"])
    with pytest.raises(InvalidBankAccount) as caught:
        services.penny_test_start(application_id=application.pk, actor=people["ops"], **values)
    assert list(caught.value.fields) == [field]
    assert BankAccountVerification.objects.count() == 0
