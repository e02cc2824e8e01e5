"""The servicing demo: a generated book beside the demo loans, one end of day over it, nothing more on a rerun."""

import pytest

from loancrm.ledger.checks import run_checks
from loancrm.loans.models import Loan
from loancrm.servicing import demo
from loancrm.servicing.models import EodDay

pytestmark = pytest.mark.django_db


def test_the_demo_book_is_generated_once_and_closed_by_one_end_of_day(monkeypatch):
    monkeypatch.setattr(demo, "DEMO_LOANS", 120)
    monkeypatch.setattr(demo, "DEMO_BORROWERS", 30)
    demo.seed()
    generated = Loan.objects.filter(contract_no__startswith=f"G{demo.DEMO_SEED}-")
    assert generated.count() == 120
    assert set(generated.values_list("status", flat=True)) >= {"active", "paid_off"}
    assert EodDay.objects.filter(status="done").count() == 1
    assert run_checks().ok
    demo.seed()
    assert (generated.count(), EodDay.objects.count()) == (120, 1)
