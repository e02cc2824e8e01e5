"""A person who is already a customer arrives as a duplicate on their lead, by any of their mobiles or their ID."""

from __future__ import annotations

from loancrm.accounts.tests.factories import make_user
from loancrm.customers.models import CustomerMobile
from loancrm.customers.services import lead_convert
from loancrm.customers.tests.factories import ID_1990, make_lead
from loancrm.leads.choices import IntakeOutcome
from loancrm.leads.models import Channel, Lead, LeadHit
from loancrm.leads.services import lead_intake


def test_known_customers_are_duplicates_on_their_lead(org):
    agent = make_user("agent", role="sales_agent", unit=org.bj_team1)
    Channel.objects.create(code="web", name="官网", team=org.bj_team1)
    lead = make_lead(agent, "13812345678", id_number=ID_1990, name="李四")
    customer = lead_convert(actor=agent, lead_id=lead.pk).customer
    CustomerMobile.objects.create(customer=customer, mobile="13900001111", note="工作手机")

    by_mobile = lead_intake(data={"channel": "web", "mobile": "139 0000 1111"})
    by_id = lead_intake(data={"channel": "web", "mobile": "13700002222", "id_number": ID_1990.lower()})
    assert (by_mobile.outcome, by_mobile.lead) == (IntakeOutcome.DUPLICATE, lead)
    assert (by_id.outcome, by_id.lead) == (IntakeOutcome.DUPLICATE, lead)
    assert Lead.objects.count() == 1 and LeadHit.objects.filter(lead=lead).count() == 2
    assert Lead.objects.get(pk=lead.pk).owner == agent
    stranger = lead_intake(data={"channel": "web", "mobile": "13600003333", "external_id": "E1"})
    assert stranger.outcome == IntakeOutcome.CREATED
    retry = lead_intake(data={"channel": "web", "mobile": "13600003333", "external_id": "E1"})
    assert retry.replay and retry.lead == stranger.lead


def test_customer_list_filters_by_the_tags_of_their_leads(org):
    from django.test import Client

    from loancrm.sales.tags import lead_tag_add, tag_save

    agent = make_user("agent", role="sales_agent", unit=org.bj_team1)
    lead = make_lead(agent, "13812345678", id_number=ID_1990, name="李四")
    other = make_lead(agent, "13812345679", name="王五")
    tagged = lead_convert(actor=agent, lead_id=lead.pk).customer
    lead_convert(actor=agent, lead_id=other.pk, id_number="")
    admin = make_user("admin", role="administrator")
    tag = tag_save(actor=admin, name="优质客户")
    lead_tag_add(actor=agent, lead_id=lead.pk, tag_id=tag.pk)
    client = Client()
    client.force_login(agent)
    assert list(client.get(f"/customers/?tag={tag.pk}").context["listing"].rows) == [tagged]
    assert [c["id"] for c in client.get(f"/api/v1/customers?tag={tag.pk}").json()["items"]] == [tagged.pk]
    assert len(client.get("/customers/").context["listing"].rows) == 2


def test_bulk_intake_knows_customers_too(org):
    from loancrm.leads.bulk import CREATED, DUPLICATE, lead_intake_bulk

    agent = make_user("agent", role="sales_agent", unit=org.bj_team1)
    channel = Channel.objects.create(code="web", name="官网", team=org.bj_team1)
    lead = make_lead(agent, "13812345678", id_number=ID_1990, name="李四")
    customer = lead_convert(actor=agent, lead_id=lead.pk).customer
    CustomerMobile.objects.create(customer=customer, mobile="13900001111", note="工作手机")
    rows = [{"mobile": "13900001111"}, {"mobile": "13700002222", "id_number": ID_1990}, {"mobile": "13600003333"}]
    result = lead_intake_bulk(channel=channel, rows=rows)
    assert [(r.outcome, r.lead_id) for r in result.rows][:2] == [(DUPLICATE, lead.pk), (DUPLICATE, lead.pk)]
    assert result.rows[2].outcome == CREATED
    assert Lead.objects.count() == 2 and LeadHit.objects.filter(lead=lead).count() == 2
