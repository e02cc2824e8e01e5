"""The hand-over from credit approval: a draft with the terms frozen; rendering waits for a deferring worker."""

from decimal import Decimal

import pytest

from loancrm.contracts import tasks
from loancrm.contracts.models import Contract
from loancrm.contracts.tests.factories import make_approved_application

pytestmark = pytest.mark.django_db


def test_approval_prepares_a_draft_contract_with_the_terms_frozen(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        application = make_approved_application(people["agent"])
    contract = Contract.objects.get(application=application)
    assert (contract.status, contract.amount, contract.annual_rate, contract.term_months) == (
        "draft", Decimal("50000.00"), Decimal("0.144000"), 12)  # fmt: skip
    assert len(contract.schedule) == 12 and contract.schedule[-1]["balance"] == "0.00"
    assert contract.files.count() == 0  # the immediate test backend cannot defer: no rendering inside the test
    application.refresh_from_db()
    assert application.status == "approved"


def test_the_task_generates_a_prepared_contract_once(people):
    application = make_approved_application(people["agent"])
    assert tasks.contract_generate_task.call(application.pk) == Contract.objects.get().contract_no
    assert tasks.contract_generate_task.call(application.pk) == ""  # already generated: nothing more
    assert Contract.objects.get().files.count() == 1
