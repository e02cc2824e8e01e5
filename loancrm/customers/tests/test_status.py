"""Customer status: the transition table, the service (reason, reopening, open leads, scope), page and API."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.test import Client
from django.utils import timezone

from loancrm.accounts import services as account_services
from loancrm.core.errors import NotFound, PermissionDenied, ValidationFailed
from loancrm.core.models import AuditEvent
from loancrm.core.testing.access import assert_scoped
from loancrm.customers import services
from loancrm.customers.choices import STATUS_TRANSITIONS, Status, allowed_targets, ensure_transition
from loancrm.customers.errors import OpenLeads, ReopenDenied, StatusChangeNotAllowed
from loancrm.customers.models import Customer, CustomerStatusChange
from loancrm.customers.tests.factories import make_lead
from loancrm.leads.choices import Stage, Validity
from loancrm.leads.models import Lead

ACTIVE, DORMANT, CLOSED = Status.ACTIVE, Status.DORMANT, Status.CLOSED


@pytest.fixture
def customer(people):
    """A customer of agent1 whose only lead has been rejected (nothing in progress)."""
    agent = people["agent"]
    lead = make_lead(agent, "13812345678", name="李四")
    customer = services.lead_convert(actor=agent, lead_id=lead.pk).customer
    Lead.objects.filter(pk=lead.pk).update(stage=Stage.REJECTED)
    return customer


def set_status(actor: Any, customer: Customer, status: str, reason: str = "客户要求") -> Customer:
    return services.customer_set_status(actor=actor, customer_id=customer.pk, status=status, reason=reason)


def changes(customer: Customer) -> list[tuple[str, str, str]]:
    rows = CustomerStatusChange.objects.filter(customer=customer).order_by("changed_at", "id")
    return list(rows.values_list("from_status", "to_status", "reason"))


def status_events() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="customer.status_changed").order_by("id"))


def client_for(user: Any, **headers: str) -> Client:
    client = Client(**headers)
    client.force_login(user)
    return client


def post_json(client: Client, url: str, body: Any, **extra: Any) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json", **extra)


# --- the table -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "allowed"),
    [(ACTIVE, [DORMANT, CLOSED]), (DORMANT, [ACTIVE, CLOSED]), (CLOSED, [ACTIVE])],
)
def test_the_transition_table(current, allowed):
    assert allowed_targets(current) == allowed
    for target in Status.values:
        if target in allowed:
            ensure_transition(current, target)
        else:
            with pytest.raises(StatusChangeNotAllowed):
                ensure_transition(current, target)
    assert set(STATUS_TRANSITIONS) == set(Status.values)


@pytest.mark.parametrize(
    ("current", "target", "message"),
    [(ACTIVE, ACTIVE, "客户当前已是“正常”状态。"), (CLOSED, DORMANT, "客户状态不能从“已销户”改为“休眠”。")],
)
def test_a_refused_move_names_both_statuses(current, target, message):
    with pytest.raises(StatusChangeNotAllowed) as refused:
        ensure_transition(current, target)
    assert (refused.value.code, refused.value.status, str(refused.value.message)) == (
        "customer_status_not_allowed", 409, message,
    )  # fmt: skip


# --- the service ---------------------------------------------------------------------------------------------------


def test_dormant_closed_and_reopened_with_timestamps_history_and_audit(people, customer):
    agent, manager = people["agent"], people["lead_bj"]
    set_status(agent, customer, DORMANT, "  半年未联系  ")
    customer.refresh_from_db()
    assert (customer.status, customer.closed_at) == (DORMANT, None)
    before = timezone.now()
    set_status(agent, customer, CLOSED, "客户要求注销")
    customer.refresh_from_db()
    assert customer.status == CLOSED and customer.closed_at is not None and customer.closed_at >= before
    closed_at = customer.closed_at
    set_status(manager, customer, ACTIVE, "客户重新申请")
    customer.refresh_from_db()
    assert (customer.status, customer.closed_at) == (ACTIVE, None)
    assert changes(customer) == [
        (ACTIVE, DORMANT, "半年未联系"), (DORMANT, CLOSED, "客户要求注销"), (CLOSED, ACTIVE, "客户重新申请"),
    ]  # fmt: skip
    events = status_events()
    assert [event.actor_repr for event in events] == ["agent1", "agent1", "lead_bj"]
    assert [event.target_id for event in events] == [str(customer.pk)] * 3
    assert events[0].data == {"before": {"status": "active", "closed_at": None},
                              "after": {"status": "dormant", "closed_at": None}, "reason": "半年未联系"}  # fmt: skip
    assert events[1].data["after"] == {"status": "closed", "closed_at": DjangoJSONEncoder().default(closed_at)}
    assert events[2].data["before"]["closed_at"] == events[1].data["after"]["closed_at"]
    assert events[2].data["after"] == {"status": "active", "closed_at": None}


@pytest.mark.parametrize(
    ("status", "reason", "error", "fields"),
    [
        (DORMANT, "", ValidationFailed, {"reason": ["请填写变更原因。"]}),
        (DORMANT, "   ", ValidationFailed, {"reason": ["请填写变更原因。"]}),
        (DORMANT, "x" * 501, ValidationFailed, {"reason": ["最多 500 个字符。"]}),
        ("gone", "原因", ValidationFailed, {"status": ["请选择允许的值之一。"]}),
        (ACTIVE, "原因", StatusChangeNotAllowed, {}),
    ],
)
def test_a_refused_change_writes_nothing(people, customer, status, reason, error, fields):
    with pytest.raises(error) as refused:
        set_status(people["agent"], customer, status, reason)
    assert {name: [str(m) for m in msgs] for name, msgs in refused.value.fields.items()} == fields
    customer.refresh_from_db()
    assert (customer.status, customer.closed_at, changes(customer), status_events()) == (ACTIVE, None, [], [])


def test_only_a_manager_reopens_and_closed_cannot_go_dormant(people, customer):
    agent = people["agent"]
    set_status(agent, customer, CLOSED)
    customer.refresh_from_db()
    closed_at = customer.closed_at
    with pytest.raises(ReopenDenied) as refused:
        set_status(agent, customer, ACTIVE)
    assert (refused.value.code, refused.value.status, str(refused.value.message)) == (
        "customer_reopen_denied", 403, "只有主管可以恢复已销户的客户。",
    )  # fmt: skip
    with pytest.raises(StatusChangeNotAllowed):
        set_status(people["lead_bj"], customer, DORMANT)
    customer.refresh_from_db()
    assert (customer.status, customer.closed_at, len(changes(customer)), len(status_events())) == (
        CLOSED, closed_at, 1, 1,
    )  # fmt: skip


def test_a_customer_with_leads_in_progress_cannot_be_closed(people, customer):
    agent = people["agent"]
    in_progress = make_lead(agent, "13900000001", stage=Stage.APPLIED)
    invalid = make_lead(agent, "13900000002", validity=Validity.INVALID)
    disbursed = make_lead(agent, "13900000003", stage=Stage.DISBURSED)
    for lead in (in_progress, invalid, disbursed):
        customer.lead_links.create(lead=lead, linked_by=agent)
    with pytest.raises(OpenLeads) as refused:
        set_status(agent, customer, CLOSED)
    assert (refused.value.code, refused.value.status) == ("customer_has_open_leads", 409)
    assert str(refused.value.message) == f"客户还有进行中的线索（{in_progress}），请先拒单或完成。"
    customer.refresh_from_db()
    assert (customer.status, changes(customer), status_events()) == (ACTIVE, [], [])
    set_status(agent, customer, DORMANT)  # going dormant is not closing
    Lead.objects.filter(pk=in_progress.pk).update(stage=Stage.REJECTED)
    set_status(agent, customer, CLOSED)
    customer.refresh_from_db()
    assert customer.status == CLOSED


@pytest.mark.parametrize(
    ("who", "error"),
    [("teammate", NotFound), ("lead_sh", NotFound), ("compliance", PermissionDenied), ("collector", PermissionDenied)],
)
def test_users_without_the_permission_or_scope_are_refused(people, customer, who, error):
    with pytest.raises(error):
        set_status(people[who], customer, DORMANT)
    customer.refresh_from_db()
    assert (customer.status, changes(customer), status_events()) == (ACTIVE, [], [])


# --- the 360 page --------------------------------------------------------------------------------------------------


def test_the_page_changes_the_status_with_a_flash_and_a_timeline_entry(people, customer):
    client = client_for(people["agent"])
    page = client.get(f"/customers/{customer.pk}/").content.decode()
    assert 'data-testid="status-form"' in page
    assert '<option value="dormant">休眠</option><option value="closed">已销户</option>' in page
    response = client.post(f"/customers/{customer.pk}/status/", {"status": "dormant", "reason": "半年未联系"})
    assert response.status_code == 302 and response["Location"] == f"/customers/{customer.pk}/#status"
    page = client.get(response["Location"]).content.decode()
    assert "状态已改为“休眠”。" in page and 'data-status="dormant"' in page
    assert 'data-testid="last-status-change"' in page and "半年未联系" in page
    assert "客户状态：正常 → 休眠" in page and 'data-kind="status"' in page
    customer.refresh_from_db()
    assert customer.status == DORMANT and changes(customer) == [(ACTIVE, DORMANT, "半年未联系")]


def test_a_refused_change_on_the_page_is_a_flash_and_writes_nothing(people, customer):
    client = client_for(people["agent"], HTTP_ACCEPT_LANGUAGE="en")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(f"/customers/{customer.pk}/status/", {"status": "dormant", "reason": ""}, follow=True)
    assert "Give the reason for the change." in response.content.decode()
    response = client.post(f"/customers/{customer.pk}/status/", {"status": "active", "reason": "x"}, follow=True)
    assert "The customer is already Active." in response.content.decode()
    customer.refresh_from_db()
    assert (customer.status, changes(customer), status_events()) == (ACTIVE, [], [])


def test_the_form_offers_only_what_the_viewer_may_do(people, customer):
    assert (
        'data-testid="status-form"'
        not in client_for(people["compliance"]).get(f"/customers/{customer.pk}/").content.decode()
    )
    set_status(people["agent"], customer, CLOSED, "注销")
    agent_page = client_for(people["agent"]).get(f"/customers/{customer.pk}/").content.decode()
    assert 'data-testid="status-form"' not in agent_page and 'data-testid="closed-at"' in agent_page
    manager_page = client_for(people["lead_bj"]).get(f"/customers/{customer.pk}/").content.decode()
    assert '<select name="status" class="form-select w-auto" aria-label="新状态" data-testid="status-select">' \
           '<option value="active">正常</option></select>' in manager_page  # fmt: skip


def test_the_page_is_scoped(people, customer):
    url = f"/customers/{customer.pk}/status/"
    data = {"status": "dormant", "reason": "原因"}
    assert_scoped(url, method="post", data=data, other_scope=[people["teammate"], people["lead_sh"]],
                  no_permission=[people["compliance"], people["collector"]])  # fmt: skip
    customer.refresh_from_db()
    assert (customer.status, status_events()) == (ACTIVE, [])
    assert_scoped(url, method="post", data=data, allowed=[people["lead_bj"]])
    customer.refresh_from_db()
    assert customer.status == DORMANT


# --- the API -------------------------------------------------------------------------------------------------------


def test_the_api_changes_the_status(people, customer):
    client = client_for(people["agent"])
    response = post_json(client, f"/api/v1/customers/{customer.pk}/status", {"status": "closed", "reason": "注销"})
    assert response.status_code == 200
    customer.refresh_from_db()
    change = CustomerStatusChange.objects.get()
    body = response.json()
    assert body == {
        "id": customer.pk, "number": customer.number, "status": "closed", "closed_at": body["closed_at"],
        "change": {"from_status": "active", "to_status": "closed", "reason": "注销", "changed_by": "agent1",
                   "changed_at": body["change"]["changed_at"]},
    }  # fmt: skip
    assert body["closed_at"] is not None and change.changed_at == customer.closed_at
    doc = client.get(f"/api/v1/customers/{customer.pk}").json()
    assert doc["status"] == "closed" and doc["closed_at"] == body["closed_at"]


def test_api_refusals_use_the_error_shape_and_write_nothing(people, customer):
    client = client_for(people["agent"])
    url = f"/api/v1/customers/{customer.pk}/status"
    response = post_json(client, url, {"status": "active", "reason": "x"})
    assert (response.status_code, response.json()) == (
        409, {"code": "customer_status_not_allowed", "message": "客户当前已是“正常”状态。", "fields": {}},
    )  # fmt: skip
    response = post_json(client, url, {"status": "dormant", "reason": ""})
    assert (response.status_code, response.json()) == (
        400, {"code": "validation_error", "message": "部分字段无效。", "fields": {"reason": ["请填写变更原因。"]}},
    )  # fmt: skip
    response = post_json(client, url, {"status": "gone", "reason": "x"})
    assert response.status_code == 422 and response.json()["fields"] == {"status": ["请选择允许的值之一。"]}
    response = post_json(client, url, {"status": "dormant"})
    assert response.status_code == 422 and response.json()["fields"] == {"reason": ["这个字段是必填项。"]}
    set_status(people["agent"], customer, CLOSED)
    english = client_for(people["agent"], HTTP_ACCEPT_LANGUAGE="en")
    response = post_json(english, url, {"status": "active", "reason": "x"})
    refused = {
        "code": "customer_reopen_denied",
        "message": "Only a manager can reopen a closed customer.",
        "fields": {},
    }
    assert (response.status_code, response.json()) == (403, refused)
    customer.refresh_from_db()
    assert (customer.status, len(changes(customer)), len(status_events())) == (CLOSED, 1, 1)


def test_the_api_is_scoped_and_needs_a_full_token(people, customer, admin_user):
    url = f"/api/v1/customers/{customer.pk}/status"
    data = {"status": "dormant", "reason": "原因"}
    assert_scoped(url, method="post", data=data, other_scope=[people["teammate"], people["lead_sh"]],
                  no_permission=[people["compliance"], people["collector"]])  # fmt: skip
    assert_scoped("/api/v1/customers/999999/status", method="post", data=data, other_scope=[people["agent"]])
    _t, read = account_services.api_token_create(actor=admin_user, user_id=people["agent"].pk, name="r",
                                                 scopes=["read", "leads:write"])  # fmt: skip
    assert post_json(Client(), url, data, HTTP_AUTHORIZATION=f"Bearer {read}").status_code == 403
    customer.refresh_from_db()
    assert (customer.status, status_events()) == (ACTIVE, [])
    _t, full = account_services.api_token_create(actor=admin_user, user_id=people["agent"].pk, name="f", scopes=["*"])
    assert post_json(Client(), url, data, HTTP_AUTHORIZATION=f"Bearer {full}").status_code == 200
    assert_scoped(url, method="post", data={"status": "active", "reason": "原因"}, allowed=[people["lead_bj"]])
    customer.refresh_from_db()
    assert customer.status == ACTIVE and len(changes(customer)) == 2
