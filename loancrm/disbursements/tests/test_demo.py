"""The demo seed on four signed applications: two disbursed, one failed (retry available), one blocked."""

from __future__ import annotations

import pytest

from loancrm.accounts.tests.factories import make_user
from loancrm.applications.choices import Status
from loancrm.applications.models import Application
from loancrm.disbursements import demo
from loancrm.disbursements.choices import OrderStatus, PennyStatus
from loancrm.disbursements.models import BankAccountVerification, DisbursementOrder
from loancrm.disbursements.tests.factories import make_signed

pytestmark = pytest.mark.django_db


def test_seed_disburses_most_and_leaves_one_failed_and_one_blocked(org, people, checks, today):
    make_user("ops", role="operations", unit=org.hq)
    apps = [make_signed(people["agent"]) for _ in range(4)]
    assert demo.seed() == []
    statuses = dict(Application.objects.filter(pk__in=[a.pk for a in apps]).values_list("pk", "status"))
    assert [statuses[a.pk] for a in apps] == [Status.DISBURSED, Status.DISBURSED, Status.SIGNED, Status.SIGNED]
    failed = DisbursementOrder.objects.get(application=apps[2])
    assert (failed.status, failed.failure_reason) == (OrderStatus.FAILED, "账户状态异常")
    assert BankAccountVerification.objects.get(application=apps[3]).status == PennyStatus.PENDING
    assert not DisbursementOrder.objects.filter(application=apps[3]).exists()
    # a second run adds nothing
    assert demo.seed() == []
    assert DisbursementOrder.objects.count() == 3 and BankAccountVerification.objects.count() == 4


def test_seed_does_nothing_without_signed_applications(org, people):
    make_user("ops", role="operations", unit=org.hq)
    assert demo.seed() == []
    assert BankAccountVerification.objects.count() == 0
