"""Back-office application pages: permission and scope, list filters and sort, new and edit draft, submit problems
shown, withdraw with a reason, links to other modules only when installed."""

from __future__ import annotations

import pytest
from django.test import Client

from loancrm.accounts.tests.factories import make_user
from loancrm.applications.models import Application
from loancrm.applications.tests.factories import make_application, make_customer

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_list_is_scoped_and_filtered(org, people, customer, version):
    mine = make_application(people["agent"], customer, version, amount="60000.00")
    other_customer = make_customer(people["other_agent"], name="赵钱")
    theirs = make_application(people["other_agent"], other_customer, version)
    client = login(people["agent"])
    page = client.get("/applications/")
    assert page.status_code == 200 and [a.pk for a in page.context["listing"].rows] == [mine.pk]
    assert client.get(f"/applications/{theirs.pk}/").status_code == 404
    assert client.get("/applications/", {"q": mine.number}).context["listing"].rows == [mine]
    assert client.get("/applications/", {"q": customer.name}).context["listing"].rows == [mine]
    assert client.get("/applications/", {"status": "submitted"}).context["listing"].rows == []
    assert client.get("/applications/", {"channel": "branch", "product": version.product_id,
                                         "created_from": "2000-01-01"}).context["listing"].rows == [mine]  # fmt: skip
    assert client.get("/applications/", {"created_to": "2000-01-01"}).context["listing"].rows == []
    assert client.get("/applications/", {"sort": "-amount", "page": "9"}).status_code == 200
    assert login(people["reviewer"]).get("/applications/").status_code == 200
    everyone = login(make_user("ops", role="operations", unit=org.hq)).get("/applications/")
    assert {a.pk for a in everyone.context["listing"].rows} == {mine.pk, theirs.pk}
    assert login(people["collector"]).get("/applications/").status_code == 403


def test_new_application_from_the_customer_page(people, customer, version):
    client = login(people["agent"])
    detail = client.get(f"/customers/{customer.pk}/")
    assert f"/applications/new/?customer={customer.pk}" in detail.content.decode()
    picker = client.get("/applications/new/", {"customer": customer.pk})
    assert picker.status_code == 200 and picker.context["form"] is None
    page = client.get("/applications/new/", {"customer": customer.pk, "version": version.pk})
    assert page.context["form"] is not None
    data = {"customer": customer.pk, "version": version.pk, "amount": "1000", "term_months": 12,
            "method": "equal_installment", "purpose": "travel"}  # fmt: skip
    refused = client.post("/applications/new/", data)
    assert refused.status_code == 400 and "amount" in refused.context["form"].errors
    assert not Application.objects.exists()
    saved = client.post("/applications/new/", data | {"amount": "30000"})
    application = Application.objects.get()
    assert saved.url == f"/applications/{application.pk}/"
    assert (application.channel, application.owner, application.amount) == ("branch", people["agent"], 30000)
    other = make_customer(people["other_agent"])
    assert client.get("/applications/new/", {"customer": other.pk}).status_code == 404


def test_edit_draft_submit_problems_and_withdraw(people, customer, version):
    application = make_application(people["agent"], customer, version, housing="")
    client = login(people["agent"])
    detail = client.get(f"/applications/{application.pk}/")
    assert detail.status_code == 200 and {p["field"] for p in detail.context["problems"]} == {"housing"}
    assert detail.context["documents_url"] is None or detail.context["documents_url"].endswith("/")
    submitted = client.post(f"/applications/{application.pk}/submit/", follow=True)
    assert "submission-problems" in submitted.content.decode()
    application.refresh_from_db()
    assert application.status == "draft"
    form = client.get(f"/applications/{application.pk}/edit/").context["form"]
    data = {name: form.initial.get(name, "") for name in form.fields} | {"housing": "owned", "amount": "45000.00"}
    assert client.post(f"/applications/{application.pk}/edit/", data).status_code == 302
    application.refresh_from_db()
    assert (application.housing, application.amount) == ("owned", 45000)
    client.post(f"/applications/{application.pk}/submit/")
    application.refresh_from_db()
    assert application.status == "submitted"
    assert client.get(f"/applications/{application.pk}/edit/").status_code == 302
    no_reason = client.post(f"/applications/{application.pk}/withdraw/", {"reason": " "})
    assert no_reason.status_code == 302
    application.refresh_from_db()
    assert application.status == "submitted"
    client.post(f"/applications/{application.pk}/withdraw/", {"reason": "客户不需要了"})
    application.refresh_from_db()
    assert application.status == "withdrawn"
    history = client.get(f"/applications/{application.pk}/").context["history"]
    assert [c.to_status for c in history] == ["withdrawn", "submitted", "draft"]


def test_reviewer_sees_but_cannot_change(people, customer, version):
    application = make_application(people["agent"], customer, version)
    reviewer = login(people["reviewer"])
    assert reviewer.get(f"/applications/{application.pk}/edit/").status_code == 403
    assert reviewer.post(f"/applications/{application.pk}/submit/").status_code == 403
