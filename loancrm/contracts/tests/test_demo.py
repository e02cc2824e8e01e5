"""The demo seed on a few approved applications: templates published, contracts generated and signed."""

import pytest

from loancrm.contracts import demo
from loancrm.contracts.models import Contract, ContractTemplate
from loancrm.contracts.tests.factories import make_approved_application

pytestmark = pytest.mark.django_db


def test_the_seed_generates_and_signs_the_contracts_of_approved_applications(people):
    # given two approved applications of different customers (prepared at approval, not rendered yet)
    first = make_approved_application(people["agent"])
    second = make_approved_application(people["agent"])
    # when the demo seed runs (twice: idempotent)
    demo.seed()
    demo.seed()
    # then the product has a published template, the first contract is signed and the second awaits signatures
    assert ContractTemplate.objects.filter(status="published").count() == 1
    statuses = dict(Contract.objects.values_list("application_id", "status"))
    assert statuses == {first.pk: "signed", second.pk: "awaiting_signatures"}
    assert Contract.objects.get(application=second).parties.count() == 2  # the demo guarantor, not signed yet
