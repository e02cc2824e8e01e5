"""Approval pages and API: the pending list, the case page and its action form, the list filters, policies,
delegations, and the JSON endpoints calling the same services."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from loancrm.applications.choices import Status
from loancrm.applications.models import Application
from loancrm.approvals import demo, selectors, services
from loancrm.approvals.directory import authority_of
from loancrm.approvals.models import ApprovalAction, ApprovalPolicyVersion, Delegation, VersionStatus

pytestmark = pytest.mark.django_db


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def test_my_pending_lists_the_cases_i_may_decide_now(submit, people):
    application = submit("800000.00")

    page = client_for(people["sup"]).get("/approvals/")
    other = client_for(people["dir"]).get("/approvals/")

    assert page.status_code == 200 and application.number in page.content.decode()
    assert application.number not in other.content.decode()  # the director's step is not current yet


def test_the_case_page_shows_the_opinion_and_the_diagram_and_records_a_decision(submit, people):
    case = submit("150000.00", risk_points=["多头借贷"], conditions=["追加担保人"]).approval_case
    client = client_for(people["sup"])

    page = client.get(f"/approvals/cases/{case.pk}/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "多头借贷" in body and "追加担保人" in body and 'data-testid="action-form"' in body
    response = client.post(f"/approvals/cases/{case.pk}/", {"action": "approve", "amount": "140000.00",
                                                            "comment": "同意，略降额度"})  # fmt: skip

    assert response.status_code == 302
    application = Application.objects.get(pk=case.application_id)
    assert (application.status, str(application.approved_amount)) == (Status.APPROVED, "140000.00")


def test_a_refused_decision_is_shown_and_writes_nothing(submit, people):
    case = submit("150000.00").approval_case
    client = client_for(people["sup"])

    response = client.post(f"/approvals/cases/{case.pk}/", {"action": "approve", "amount": "999999.00",
                                                            "comment": "提额"}, follow=True)  # fmt: skip

    assert [str(m) for m in response.context["messages"]] == ["最多 150000.00。"]
    assert not ApprovalAction.objects.exists()


def test_the_case_list_filters_by_status_and_band_and_hides_other_branches(submit, people):
    small, large = submit("150000.00"), submit("3000000.00")
    client = client_for(people["dir"])

    page = client.get("/approvals/cases/?band=top&status=pending").content.decode()
    assert large.number in page and small.number not in page
    assert small.number not in client_for(people["sh_sup"]).get("/approvals/cases/").content.decode()


def test_policy_pages_edit_validate_diff_and_publish(policy, people):
    client = client_for(people["dir"])
    client.post("/approvals/policies/new/")
    draft = ApprovalPolicyVersion.objects.get(status=VersionStatus.DRAFT)

    bad = client.post(f"/approvals/policies/{draft.pk}/", {"routes": '[{"code": "A", "max_amount": "1"}]'})
    assert bad.status_code == 200 and 'data-testid="policy-errors"' in bad.content.decode()
    routes = [*draft.routes, {"code": "EXTRA", "label": "新增", "steps": []}]
    client.post(f"/approvals/policies/{draft.pk}/", {"routes": json.dumps(routes), "publish": "1"})

    draft.refresh_from_db()
    assert draft.status == VersionStatus.PUBLISHED
    page = client.get(f"/approvals/policies/{draft.pk}/").content.decode()
    assert "+ [EXTRA]" in page and "readonly" in page
    assert client_for(people["sup"]).post(f"/approvals/policies/{draft.pk}/", {"routes": "[]"}).status_code == 404


def test_delegation_page_creates_and_revokes(people):
    client = client_for(people["dir"])
    today = timezone.localdate().isoformat()

    client.post("/approvals/delegations/", {"delegate": people["sup2"].pk, "starts_on": today, "ends_on": today,
                                            "reason": "年假"})  # fmt: skip
    row = Delegation.objects.get()
    client.post("/approvals/delegations/", {"revoke": row.pk})

    row.refresh_from_db()
    assert (row.delegate, row.revoked_at is not None) == (people["sup2"], True)


def test_api_pending_and_act(submit, people):
    case = submit("150000.00").approval_case
    client = client_for(people["sup"])

    pending = client.get("/api/v1/approvals/pending").json()
    assert [c["id"] for c in pending] == [case.pk]
    refused = client.post(f"/api/v1/approvals/cases/{case.pk}/act", json.dumps({"action": "approve", "comment": ""}),
                          content_type="application/json")  # fmt: skip
    assert (refused.status_code, refused.json()["code"]) == (400, "approval_comment_required")
    done = client.post(f"/api/v1/approvals/cases/{case.pk}/act",
                       json.dumps({"action": "approve", "comment": "同意", "amount": "100000.00"}),
                       content_type="application/json")  # fmt: skip

    assert done.status_code == 200 and done.json()["case_status"] == "approved"
    second = client_for(people["sup2"]).post(f"/api/v1/approvals/cases/{case.pk}/act",
                                             json.dumps({"action": "approve", "comment": "同意"}),
                                             content_type="application/json")  # fmt: skip
    assert (second.status_code, second.json()["code"]) == (409, "approval_not_pending")


def test_demo_seed_and_progress(submit, people):
    lines = demo.seed()
    application = submit("800000.00")

    assert lines and services.published_policy() is not None
    assert demo.demo_progress([application.pk], steps=5) == 2
    assert Application.objects.get(pk=application.pk).status == Status.APPROVED


def test_managers_set_authority_limits_per_role_and_user(policy, people):
    client = client_for(people["dir"])

    client.post("/approvals/policies/authority/", {"role": "credit_supervisor", "username": "sup2",
                                                   "max_amount": "80,000.00"})  # fmt: skip
    client.post("/approvals/policies/authority/", {"role": "credit_director", "max_amount": ""})

    assert authority_of(people["sup2"]) == (True, Decimal("80000.00"))
    assert authority_of(people["sup"]) == (True, Decimal("200000.00"))
    assert authority_of(people["dir"]) == (True, None)
    assert authority_of(people["comp"]) == (False, None)  # no limit configured: not amount-limited
    refused = client_for(people["sup"]).post("/approvals/policies/authority/", {"role": "credit_supervisor",
                                                                                "max_amount": "9"})  # fmt: skip
    assert refused.status_code == 403


def test_the_home_page_counts_my_pending_approvals_and_delegated_ones(submit, people):
    submit("800000.00")
    today = timezone.localdate()
    services.delegation_create(delegator=people["sup"], delegate=people["dir"], starts_on=today, ends_on=today,
                               reason="病假", actor=people["sup"])  # fmt: skip

    queues = {q["key"]: q for q in client_for(people["dir"]).get("/").context["queues"]}
    pending = selectors.pending_for(people["dir"])

    assert "my_approvals" in queues
    assert [p.acting_for for p in pending] == [["sup1"]]  # the director takes the supervisor's step
