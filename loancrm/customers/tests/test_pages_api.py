"""Customer pages and API: scope, masking, section edit forms, conversion from the lead page, report download."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from loancrm.accounts.tests.factories import make_user
from loancrm.core.models import AuditEvent
from loancrm.core.testing.access import assert_scoped
from loancrm.customers import services
from loancrm.customers.models import Customer, CustomerLead
from loancrm.customers.tests.factories import ID_1990, make_lead

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def customer(people):
    agent = people["agent"]
    lead = make_lead(agent, "13812345678", id_number=ID_1990, name="李四")
    return services.lead_convert(actor=agent, lead_id=lead.pk).customer


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def test_customer_pages_and_api_are_scoped(people, customer):
    p = people
    for url in (
        f"/customers/{customer.pk}/",
        f"/api/v1/customers/{customer.pk}",
        f"/customers/{customer.pk}/edit/identity/",
    ):
        allowed = [p["agent"], p["lead_bj"]] + ([p["compliance"]] if "edit" not in url else [])
        assert_scoped(url, allowed=allowed, other_scope=[p["teammate"], p["lead_sh"]], no_permission=[p["collector"]])
    assert client_for(p["teammate"]).get("/api/v1/customers").json()["count"] == 0
    assert client_for(p["lead_bj"]).get("/api/v1/customers").json()["count"] == 1


def test_list_and_360_page_mask_personal_data(people, customer):
    client = client_for(people["agent"])
    listing = client.get("/customers/", {"q": "李"}).content.decode()
    assert customer.number in listing and "138****5678" in listing and "13812345678" not in listing
    assert customer.number in client.get("/customers/", {"q": "13812345678"}).content.decode()
    assert customer.number not in client.get("/customers/", {"kind": "corporate"}).content.decode()
    page = client.get(f"/customers/{customer.pk}/").content.decode()
    assert "110105********" + ID_1990[-4:] in page and ID_1990 not in page and "13812345678" not in page
    assert 'data-testid="card-identity"' in page and f"/leads/{CustomerLead.objects.get().lead_id}/" in page


def test_api_list_and_360_shapes(people, customer):
    client = client_for(people["agent"])
    body = client.get("/api/v1/customers").json()
    assert body["count"] == 1 and body["page"] == 1
    row = body["items"][0]
    assert row["number"] == customer.number and row["primary_mobile"] == "138****5678"
    assert row["id_number"] == "110105********" + ID_1990[-4:] and row["owner"] == "agent1"
    doc = client.get(f"/api/v1/customers/{customer.pk}").json()
    assert doc["gender"] == "M" and doc["birth_date"] == "1990-06-15" and isinstance(doc["age"], int)
    assert doc["mobiles"] == [{"mobile": "138****5678", "is_primary": True, "note": ""}]
    assert doc["credit"] is None and doc["corporate"] is None and len(doc["leads"]) == 1
    assert "13812345678" not in json.dumps(doc) and ID_1990 not in json.dumps(doc)


def test_convert_from_the_lead_page_and_the_api(people):
    agent = people["agent"]
    lead = make_lead(agent, "13812345678")
    client = client_for(agent)
    detail = client.get(f"/leads/{lead.pk}/").content.decode()
    assert 'data-testid="convert-form"' in detail
    response = client.post(f"/customers/from-lead/{lead.pk}/", {"id_number": ID_1990})
    customer = Customer.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/customers/{customer.pk}/"
    assert 'data-testid="lead-customer"' in client.get(f"/leads/{lead.pk}/").content.decode()
    other = make_lead(agent, "13900000001", id_number=ID_1990)
    api = client.post(f"/api/v1/customers/from-lead/{other.pk}", "{}", content_type="application/json")
    assert api.status_code == 200
    assert api.json() == {
        "customer_id": customer.pk,
        "number": customer.number,
        "created": False,
        "already_linked": False,
    }
    assert client_for(people["teammate"]).post(f"/customers/from-lead/{lead.pk}/").status_code == 404


def test_section_edit_form_shows_errors_in_chinese_and_saves(people, customer):
    client = client_for(people["agent"])
    url = f"/customers/{customer.pk}/edit/identity/"
    page = client.get(url).content.decode()
    assert ID_1990 not in page and "110105********" in page
    bad = client.post(url, {"name": "李四", "id_number": "110105199006150010"})
    assert bad.status_code == 200 and "校验位" in bad.content.decode()
    ok = client.post(url, {"name": "李四", "id_number": "", "marital_status": "married", "children_count": "1"})
    assert ok.status_code == 302
    customer.refresh_from_db()
    assert (customer.id_number, customer.marital_status, customer.children_count) == (ID_1990, "married", 1)
    contacts = client.post(
        f"/customers/{customer.pk}/edit/contacts/",
        {"email": "", "residence_address": "", "hukou_address": "",
         "mobiles-TOTAL_FORMS": "2", "mobiles-INITIAL_FORMS": "1", "mobiles-0-id": customer.mobiles.get().pk,
         "mobiles-0-mobile": "", "mobiles-0-is_primary": "on", "mobiles-1-mobile": "13900000003",
         "contacts-TOTAL_FORMS": "1", "contacts-INITIAL_FORMS": "0",
         "contacts-0-name": "王芳", "contacts-0-relationship": "spouse", "contacts-0-mobile": "13700000001"},
    )  # fmt: skip
    assert contacts.status_code == 302
    assert sorted(m.mobile for m in customer.mobiles.all()) == ["13812345678", "13900000003"]
    assert client.get(f"/customers/{customer.pk}/edit/corporate/").status_code == 404
    assert client.get(f"/customers/{customer.pk}/edit/nope/").status_code == 404


def test_credit_report_download_is_permission_checked_and_audited(people, customer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    agent = people["agent"]
    client = client_for(agent)
    upload = client.post(
        f"/customers/{customer.pk}/edit/credit/",
        {"report_file": SimpleUploadedFile("report.pdf", PDF, content_type="application/pdf"), "zhima_score": "700"},
    )
    assert upload.status_code == 302
    url = f"/customers/{customer.pk}/credit-report/"
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment") and response["Cache-Control"] == "no-store"
    event = AuditEvent.objects.get(action="customer.credit_report_downloaded")
    assert (event.actor_id, event.target_id) == (agent.pk, str(customer.pk))
    assert client_for(people["compliance"]).get(url).status_code == 403
    assert client_for(people["teammate"]).get(url).status_code == 404
    assert client_for(people["lead_bj"]).get(url).status_code == 200
    assert AuditEvent.objects.filter(action="customer.credit_report_downloaded").count() == 2


def test_corporate_customer_page(people):
    client = client_for(people["agent"])
    bad = client.post("/customers/new-corporate/", {"name": "甲公司", "credit_code": "91110000802100433A"})
    assert bad.status_code == 200 and not Customer.objects.exists()
    response = client.post("/customers/new-corporate/", {"name": "甲公司", "credit_code": "91110000802100433B"})
    company = Customer.objects.get()
    assert response.status_code == 302 and company.kind == "corporate"
    page = client.get(f"/customers/{company.pk}/").content.decode()
    assert "91110000802100433B" in page and 'data-testid="card-financials"' in page
    assert client.get(f"/customers/{company.pk}/edit/financials/").status_code == 200


def test_customer_personal_data_is_revealed_only_in_scope_and_audited(people, customer):
    mobile = customer.mobiles.get()
    form = {"model": "customers.customermobile", "id": mobile.pk, "field": "mobile", "masked": "138****5678"}
    shown = client_for(people["agent"]).post("/pii/reveal/", {**form, "reason": "核实联系方式"})
    assert shown.status_code == 200 and "13812345678" in shown.content.decode()
    event = AuditEvent.objects.get(action="pii.revealed")
    assert (event.target_type, event.target_id) == ("customers.customermobile", str(mobile.pk))
    assert client_for(people["teammate"]).post("/pii/reveal/", {**form, "reason": "核实联系方式"}).status_code == 404
    id_form = {"model": "customers.customer", "id": customer.pk, "field": "id_number", "reason": "核实身份信息"}
    assert client_for(people["agent"]).post("/pii/reveal/", id_form).status_code == 403  # needs accounts.reveal_pii
    assert AuditEvent.objects.filter(action="pii.revealed").count() == 1


def test_list_filters_by_owner_and_sorts(people, customer):
    lead_bj = people["lead_bj"]
    second = services.lead_convert(actor=lead_bj, lead_id=make_lead(people["teammate"], "13900000001", name="王五").pk)
    client = client_for(lead_bj)
    by_owner = client.get("/customers/", {"owner": people["teammate"].pk}).content.decode()
    assert second.customer.number in by_owner and customer.number not in by_owner
    by_number = client.get("/customers/", {"sort": "number"}).content.decode()
    assert by_number.index(customer.number) < by_number.index(second.customer.number)
    api = client.get("/api/v1/customers", {"owner": people["agent"].pk}).json()
    assert [row["number"] for row in api["items"]] == [customer.number]


def test_a_lead_linked_to_a_customer_of_another_team_stays_on_the_lead_page(people, customer, org):
    # given a Shanghai agent whose lead carries the mobile of a Beijing customer's primary number
    sh_agent = make_user("agent_sh", role="sales_agent", unit=org.sh_team1)
    services.customer_update_contacts(
        actor=people["agent"], customer_id=customer.pk, mobiles=[{"mobile": "13900000005", "is_primary": True}]
    )
    lead = make_lead(sh_agent, "13900000005")
    # when the Shanghai agent converts it, it links to the Beijing customer, whose owner does not change
    response = client_for(sh_agent).post(f"/customers/from-lead/{lead.pk}/")
    assert response.status_code == 302 and response["Location"] == f"/leads/{lead.pk}/"
    assert CustomerLead.objects.get(lead=lead).customer == customer
    customer.refresh_from_db()
    assert customer.owner == people["agent"]


def test_assets_form_skips_blank_rows_and_deletes_ticked_ones(people, customer):
    client = client_for(people["agent"])
    url = f"/customers/{customer.pk}/edit/assets/"
    blank_home = {"properties-0-id": "", "properties-0-property_type": "", "properties-0-value": "",
                  "properties-0-mortgage_balance": ""}  # fmt: skip
    data = {
        "properties-TOTAL_FORMS": "1", "properties-INITIAL_FORMS": "0", **blank_home,
        "vehicles-TOTAL_FORMS": "2", "vehicles-INITIAL_FORMS": "0",
        "vehicles-0-brand": "比亚迪", "vehicles-0-price": "189800", "vehicles-0-has_loan": "on",
        "vehicles-0-loan_balance": "50000.5", "vehicles-1-brand": "", "vehicles-1-price": "",
        "financial_assets-TOTAL_FORMS": "1", "financial_assets-INITIAL_FORMS": "0",
        "financial_assets-0-asset_type": "", "financial_assets-0-value": "",
    }  # fmt: skip
    assert client.post(url, data).status_code == 302
    car = customer.vehicles.get()
    assert (car.brand, car.price, car.has_loan, str(car.loan_balance)) == ("比亚迪", 189800, True, "50000.50")
    page = client.get(url).content.decode()
    assert 'value="比亚迪"' in page
    data.update({"vehicles-INITIAL_FORMS": "1", "vehicles-0-id": str(car.pk), "vehicles-0-DELETE": "on"})
    assert client.post(url, data).status_code == 302
    assert not customer.vehicles.exists()
    assert AuditEvent.objects.filter(action="customer.updated", data__section="assets").count() == 2
