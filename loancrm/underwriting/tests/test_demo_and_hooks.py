"""The demo seed on a small organisation (idempotent), and the decisioning hook that opens a case after commit."""

from __future__ import annotations

import pytest

from loancrm.accounts import demo as accounts_demo
from loancrm.accounts.models import User
from loancrm.applications.choices import Status
from loancrm.applications.services import application_set_status
from loancrm.applications.tests.factories import make_application, make_customer, make_version
from loancrm.approvals.services import policy_default_ensure
from loancrm.decisioning import services as decisioning_services
from loancrm.underwriting import demo, hooks
from loancrm.underwriting.choices import CaseStatus
from loancrm.underwriting.models import ReviewCase, ReviewOpinion, ReviewTeam, RoutingRule

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def in_review(agent, version, amount="50000.00"):
    application = make_application(agent, make_customer(agent), version, amount=amount)
    for status in (Status.SUBMITTED, Status.PRE_SCREENING, Status.MANUAL_REVIEW):
        application_set_status(application_id=application.pk, status=status, actor=agent)
    return application


def test_the_demo_routes_every_application_in_manual_review_and_runs_twice_safely():
    accounts_demo.seed()
    policy_default_ensure()  # the approval stage takes the demo opinions
    version = make_version()
    sales, sales_sh = User.objects.get(username="sales"), User.objects.get(username="sales_sh")
    apps = [in_review(sales, version), in_review(sales, version), in_review(sales_sh, version),
            in_review(sales, version, amount="150000.00")]  # fmt: skip
    demo.seed()
    assert ReviewTeam.objects.count() == 3 and RoutingRule.objects.count() == 3
    cases = {c.application_id: c for c in ReviewCase.objects.select_related("team")}
    assert set(cases) == {a.pk for a in apps}
    assert cases[apps[2].pk].team.name == "上海信审组"
    assert {cases[a.pk].team.name for a in (apps[0], apps[1], apps[3])} == {"北京信审组"}
    assert ReviewCase.objects.filter(status=CaseStatus.CLAIMED).count() + ReviewOpinion.objects.count() >= 2
    opinion = ReviewOpinion.objects.get(recommendation="conditional")
    assert opinion.recommendation == "conditional" and opinion.conditions.count() == 2
    assert "credit_reviewer" in {p.code for p in opinion.created_by.role_profiles()}
    # a second run adds nothing
    demo.seed()
    assert ReviewCase.objects.count() == 4 and ReviewTeam.objects.count() == 3


def test_decisioning_registers_the_case_opening_which_runs_after_commit(django_capture_on_commit_callbacks):
    assert hooks.enqueue_case_open in decisioning_services._on_manual_review
    accounts_demo.seed()
    demo.seed()
    application = in_review(User.objects.get(username="sales"), make_version())
    with django_capture_on_commit_callbacks(execute=True):
        hooks.enqueue_case_open(application.pk)
        assert not ReviewCase.objects.filter(application=application).exists()  # not before commit
    assert ReviewCase.objects.get(application=application).team.name == "北京信审组"
