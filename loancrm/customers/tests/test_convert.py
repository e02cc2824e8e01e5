"""Lead conversion: creates the customer from the lead, links on a known mobile or ID number, idempotent,
race-free, scoped, and the lead keeps its history."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections

from loancrm.accounts.tests.factories import make_user
from loancrm.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from loancrm.core.models import AuditEvent
from loancrm.customers.models import Customer, CustomerLead, CustomerMobile
from loancrm.customers.services import customer_update_contacts, lead_convert
from loancrm.customers.tests.factories import ID_1985, ID_1990, make_lead
from loancrm.leads.choices import Stage, Validity
from loancrm.leads.models import Channel, LeadHit


@pytest.fixture
def agent(org):
    return make_user("agent1", role="sales_agent", unit=org.bj_team1)


def test_converting_creates_the_customer_from_the_lead(agent):
    # given a lead with name, mobile and ID number
    lead = make_lead(agent, "13812345678", id_number=ID_1990, name="李四")
    # when the agent converts it
    result = lead_convert(actor=agent, lead_id=lead.pk)
    # then one individual customer exists with the lead's identity, owned like the lead
    customer = Customer.objects.get()
    assert result.created and result.customer == customer
    assert customer.number == f"C{customer.pk:08d}" and customer.name == "李四" and customer.kind == "individual"
    assert customer.id_number == ID_1990 and customer.gender == "M" and customer.birth_date == dt.date(1990, 6, 15)
    assert (customer.owner, customer.org_unit) == (agent, agent.org_unit)
    assert [(m.mobile, m.is_primary) for m in customer.mobiles.all()] == [("13812345678", True)]
    link = CustomerLead.objects.get()
    assert (link.lead, link.customer, link.created_customer, link.linked_by) == (lead, customer, True, agent)
    assert list(AuditEvent.objects.order_by("id").values_list("action", flat=True)) == [
        "customer.created",
        "lead.converted",
    ]


@pytest.mark.parametrize(("on", "age"), [(dt.date(2026, 6, 14), 35), (dt.date(2026, 6, 15), 36), (None, None)])
def test_age_is_derived_from_the_id_number(agent, on, age):
    customer = lead_convert(actor=agent, lead_id=make_lead(agent, "13812345678", id_number=ID_1990).pk).customer
    if on is None:
        customer.birth_date = None
    assert customer.age(on) == age


def test_an_id_number_collected_at_conversion_is_validated_and_used(agent):
    lead = make_lead(agent, "13812345678")
    with pytest.raises(ValidationFailed) as caught:
        lead_convert(actor=agent, lead_id=lead.pk, id_number="110105199006150010")
    assert "校验位" in str(caught.value.fields["id_number"][0])
    assert not Customer.objects.exists() and not AuditEvent.objects.exists()
    customer = lead_convert(actor=agent, lead_id=lead.pk, id_number=ID_1985).customer
    assert customer.id_number == ID_1985 and customer.gender == "F" and customer.birth_date == dt.date(1985, 3, 1)


def test_a_lead_with_a_known_id_number_links_to_that_customer(agent):
    # given a customer with ID number ID_1990 (from a lead without one)
    first = lead_convert(actor=agent, lead_id=make_lead(agent, "13812345678").pk, id_number=ID_1990).customer
    # when another lead with that ID number and a new mobile is converted
    second = make_lead(agent, "13900000001", id_number=ID_1990, name="李四")
    result = lead_convert(actor=agent, lead_id=second.pk)
    # then it links to the same customer, whose new mobile is added as a secondary one
    assert not result.created and result.customer == first and Customer.objects.count() == 1
    assert sorted((m.mobile, m.is_primary) for m in first.mobiles.all()) == [
        ("13812345678", True),
        ("13900000001", False),
    ]
    assert CustomerLead.objects.get(lead=second).created_customer is False


def test_a_lead_with_a_known_primary_mobile_links_to_that_customer(agent):
    # given a customer whose primary mobile changed to 13900000002
    first = lead_convert(actor=agent, lead_id=make_lead(agent, "13812345678").pk).customer
    customer_update_contacts(actor=agent, customer_id=first.pk, mobiles=[{"mobile": "13900000002", "is_primary": True}])
    # when a lead arrives with that mobile and an ID number and is converted
    lead = make_lead(agent, "139 0000 0002", id_number=ID_1985)
    result = lead_convert(actor=agent, lead_id=lead.pk)
    # then it links, and the customer (who had no ID number) gets it
    assert not result.created and result.customer == first
    first.refresh_from_db()
    assert first.id_number == ID_1985 and first.birth_date == dt.date(1985, 3, 1)


def test_converting_twice_is_idempotent_and_keeps_the_lead_history(agent, org):
    lead = make_lead(agent, "13812345678", id_number=ID_1990, stage=Stage.INTERESTED, hit_count=1)
    LeadHit.objects.create(lead=lead, channel=Channel.objects.get(code="baidu"), campaign="再次进件")
    first = lead_convert(actor=agent, lead_id=lead.pk)
    events = AuditEvent.objects.count()
    again = lead_convert(actor=agent, lead_id=lead.pk)
    assert again.customer == first.customer and not again.created and again.already_linked
    assert Customer.objects.count() == 1 and CustomerLead.objects.count() == 1
    assert AuditEvent.objects.count() == events
    lead.refresh_from_db()
    assert (lead.stage, lead.hit_count, lead.hits.count(), lead.owner) == (Stage.INTERESTED, 1, 1, agent)


def test_only_users_who_can_see_the_lead_convert_it(agent, org):
    lead = make_lead(agent, "13812345678")
    teammate = make_user("agent2", role="sales_agent", unit=org.bj_team1)
    collector = make_user("coll", role="collector", unit=org.bj_team1)
    with pytest.raises(NotFound):
        lead_convert(actor=teammate, lead_id=lead.pk)
    with pytest.raises(PermissionDenied):
        lead_convert(actor=collector, lead_id=lead.pk)
    with pytest.raises(NotFound):
        lead_convert(actor=agent, lead_id=999999)
    assert not Customer.objects.exists() and not AuditEvent.objects.exists()
    team_lead = make_user("lead_bj", role="sales_lead", unit=org.bj_team1)
    assert lead_convert(actor=team_lead, lead_id=lead.pk).customer.owner == agent


def test_an_invalid_lead_is_not_converted(agent):
    lead = make_lead(agent, "13812345678", validity=Validity.INVALID, invalid_reason="age 70")
    with pytest.raises(InvalidTransition):
        lead_convert(actor=agent, lead_id=lead.pk)
    assert not Customer.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrency test needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_conversions_of_one_person_create_one_customer(org):
    # given 10 leads (different mobiles, no ID number) of one person
    agent = make_user("agent1", role="sales_agent", unit=org.bj_team1)
    leads = [make_lead(agent, f"1390000{i:04d}") for i in range(10)]
    barrier, errors = threading.Barrier(10), []

    def convert(lead_id: int) -> None:
        try:
            barrier.wait()
            lead_convert(actor=agent, lead_id=lead_id, id_number=ID_1990)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    # when they are converted at the same time, each with the same ID number
    threads = [threading.Thread(target=convert, args=(lead.pk,)) for lead in leads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then there is one customer, all ten leads link to it, and it has one primary mobile
    assert errors == []
    customer = Customer.objects.get()
    assert CustomerLead.objects.filter(customer=customer).count() == 10
    assert CustomerLead.objects.filter(created_customer=True).count() == 1
    assert CustomerMobile.objects.filter(customer=customer, is_primary=True).count() == 1
    assert CustomerMobile.objects.filter(customer=customer).count() == 10
    assert AuditEvent.objects.filter(action="customer.created").count() == 1


def test_a_lead_with_a_known_secondary_mobile_links_to_that_customer(agent):
    first = lead_convert(actor=agent, lead_id=make_lead(agent, "13812345678").pk).customer
    customer_update_contacts(
        actor=agent, customer_id=first.pk,
        mobiles=[{"mobile": "13812345678", "is_primary": True}, {"mobile": "13900000003", "is_primary": False}],
    )  # fmt: skip
    result = lead_convert(actor=agent, lead_id=make_lead(agent, "13900000003").pk)
    assert not result.created and result.customer == first and first.mobiles.count() == 2
