"""Audit rows, htmx helpers, list sorting/pagination, and the idempotent demo seed."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.http import HttpResponse
from django.test import RequestFactory

from loancrm.accounts import demo as accounts_demo
from loancrm.accounts import demo as demo_users
from loancrm.accounts.models import OrgUnit, User
from loancrm.accounts.tests.factories import make_user
from loancrm.core import htmx
from loancrm.core.audit import audit_event
from loancrm.core.listing import paginate
from loancrm.core.models import AuditEvent


@pytest.mark.django_db
def test_audit_event_records_actor_target_data_and_request(org):
    actor = make_user("boss", role="administrator", unit=org.hq)
    request = RequestFactory().post("/x", REMOTE_ADDR="10.1.2.3", HTTP_USER_AGENT="pytest")
    event = audit_event(actor, "user.updated", org.bj, {"before": {"a": 1}, "after": {"a": 2}}, request)
    assert (event.actor_repr, event.target_type, event.target_id) == ("boss", "accounts.orgunit", str(org.bj.pk))
    assert event.ip == "10.1.2.3" and event.user_agent == "pytest" and event.data["after"] == {"a": 2}


@pytest.mark.django_db
def test_audit_rows_cannot_be_changed_or_deleted_through_the_orm():
    event = audit_event(None, "system.test")
    assert event.actor_repr == "system"
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()
    assert AuditEvent.objects.count() == 1


@pytest.mark.django_db
def test_failed_login_audit_names_the_attempted_username_not_a_user():
    event = audit_event("someone", "auth.login_failed")
    assert event.actor is None and event.actor_repr == "someone"


def test_htmx_helpers():
    request = RequestFactory().get("/", HTTP_HX_REQUEST="true")
    assert htmx.is_htmx(request)
    assert htmx.template_for(request, "full.html", "part.html") == "part.html"
    assert htmx.template_for(RequestFactory().get("/"), "full.html", "part.html") == "full.html"
    response = htmx.trigger(htmx.trigger(HttpResponse(), "saved", 1), "refresh", None)
    assert json.loads(response["HX-Trigger"]) == {"saved": 1, "refresh": None}
    assert htmx.redirect("/next")["HX-Redirect"] == "/next"


@pytest.mark.parametrize(
    ("query", "first", "size"),
    [
        ("", "a00", 20),
        ("?sort=-name", "a44", 20),
        ("?sort=evil__field", "a00", 20),
        ("?page=99", "a40", 20),
        ("?page_size=50", "a00", 50),
        ("?page_size=7", "a00", 20),
    ],
)
@pytest.mark.django_db
def test_paginate_whitelists_sort_keys_and_bounds_page_size(query, first, size):
    OrgUnit.objects.bulk_create([OrgUnit(code=f"a{i:02d}", name=f"a{i:02d}", kind="team") for i in range(45)])
    listing = paginate(
        RequestFactory().get(f"/{query}"), OrgUnit.objects.all(), sorts={"name": "name"}, default_sort="name"
    )
    assert listing.rows[0].name == first and listing.page_size == size


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_prints_every_role(capsys):
    call_command("seed_demo")
    first = capsys.readouterr().out
    counts = (User.objects.count(), OrgUnit.objects.count(), AuditEvent.objects.count())
    call_command("seed_demo")
    assert (User.objects.count(), OrgUnit.objects.count(), AuditEvent.objects.count()) == counts
    assert counts[0] == len(demo_users.USERS)
    assert counts[0] == len(accounts_demo.USERS)
    for username in ("admin", "ops", "sales", "collector", "qa", "committee"):
        assert f"  {username} " in first
    admin = User.objects.get(username="admin")
    assert admin.check_password("loancrm-demo-2026") and not admin.must_change_password
