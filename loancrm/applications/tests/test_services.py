"""Application services: draft creation checked against the product version, edits only while draft,
submission (completeness, lead stage, the submitted hook), status transitions, withdrawal, scope, audit."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from loancrm.applications import services
from loancrm.applications.choices import Channel, Status
from loancrm.applications.errors import ApplicationNotEditable
from loancrm.applications.models import Application, ApplicationStatusChange
from loancrm.applications.principal import CustomerPrincipal
from loancrm.applications.services import (
    application_create,
    application_set_status,
    application_submit,
    application_update,
    application_withdraw,
)
from loancrm.applications.tests.factories import VALUES, make_application, make_customer
from loancrm.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from loancrm.core.models import AuditEvent
from loancrm.customers.models import CustomerLead
from loancrm.customers.tests.factories import make_lead
from loancrm.leads.choices import Stage

D = Decimal
pytestmark = pytest.mark.django_db


def test_create_numbers_the_draft_keeps_the_version_and_audits(people, customer, version):
    application = make_application(people["agent"], customer, version)

    assert application.number == f"A{application.pk:09d}"
    assert application.status == Status.DRAFT
    assert application.product_version == version
    assert (application.amount, application.term_months, application.annual_rate) == (D("50000.00"), 12, D("0.144"))
    assert application.region == customer.id_number[:6]
    assert application.owner == people["agent"]
    assert list(application.status_changes.values_list("from_status", "to_status")) == [("", "draft")]
    event = AuditEvent.objects.get(action="application.created")
    assert event.target_id == str(application.pk) and event.data["after"]["amount"] == "50000.00"


@pytest.mark.parametrize(
    ("changes", "field", "fragment"),
    [
        ({"amount": "4999.99"}, "amount", "minimum"),
        ({"amount": "200000.01"}, "amount", "maximum"),
        ({"amount": "1.001"}, "amount", "decimal places"),
        ({"amount": "abc"}, "amount", "number"),
        ({"term_months": 48}, "term_months", "maximum"),
        ({"method": "bullet"}, "method", "repayment method"),
        ({"annual_rate": "0.3"}, "annual_rate", "maximum"),
        ({"housing": "castle"}, "housing", "allowed"),
        ({"region": "11"}, "region", "6-digit"),
    ],
)
def test_create_refuses_out_of_range_terms_and_writes_nothing(people, customer, version, changes, field, fragment):
    with translation.override("en"), pytest.raises(ValidationFailed) as caught:
        make_application(people["agent"], customer, version, **changes)

    assert field in caught.value.fields
    with translation.override("en"):
        assert fragment in " ".join(str(m) for m in caught.value.fields[field])
    assert not Application.objects.exists()
    assert not AuditEvent.objects.filter(action="application.created").exists()


def test_create_needs_permission_scope_and_a_published_version(people, customer, version):
    with pytest.raises(PermissionDenied):
        make_application(people["collector"], customer, version)
    with pytest.raises(NotFound):
        make_application(people["other_agent"], customer, version)
    draft = version.product.versions.model(product=version.product, version=99)
    draft.save()
    with pytest.raises(ValidationFailed) as caught:
        make_application(people["agent"], customer, draft)
    assert "product" in caught.value.fields


def test_update_changes_a_draft_only(people, customer, version):
    application = make_application(people["agent"], customer, version)

    application_update(actor=people["agent"], application_id=application.pk, values={"amount": "80000"})
    application.refresh_from_db()
    assert application.amount == D("80000.00")
    event = AuditEvent.objects.get(action="application.updated")
    assert event.data == {"before": {"amount": "50000.00"}, "after": {"amount": "80000"}}

    with pytest.raises(ValidationFailed):
        application_update(actor=people["agent"], application_id=application.pk, values={"status": "rejected"})
    application_submit(actor=people["agent"], application_id=application.pk)
    with pytest.raises(ApplicationNotEditable):
        application_update(actor=people["agent"], application_id=application.pk, values={"amount": "60000"})
    application.refresh_from_db()
    assert application.amount == D("80000.00")


def test_submit_lists_what_is_missing_and_changes_nothing(people, version):
    customer = make_customer(people["agent"], monthly_income=None)
    application = make_application(people["agent"], customer, version, monthly_income="", housing="")

    with pytest.raises(ValidationFailed) as caught:
        application_submit(actor=people["agent"], application_id=application.pk)

    assert set(caught.value.fields) == {"monthly_income", "housing"}
    application.refresh_from_db()
    assert application.status == Status.DRAFT and application.submitted_at is None


def test_submit_moves_the_lead_and_runs_the_hook_after_commit(
    people, version, monkeypatch, django_capture_on_commit_callbacks
):
    lead = make_lead(people["agent"], "13900001111", name="王五")
    customer = make_customer(people["agent"])
    CustomerLead.objects.create(customer=customer, lead=lead)
    seen: list[int] = []
    monkeypatch.setattr(services, "_on_submitted", [seen.append])
    application = make_application(people["agent"], customer, version)
    assert application.lead == lead

    with django_capture_on_commit_callbacks(execute=True):
        application_submit(actor=people["agent"], application_id=application.pk)
        assert seen == []

    application.refresh_from_db()
    lead.refresh_from_db()
    assert application.status == Status.SUBMITTED and application.submitted_at is not None
    assert lead.stage == Stage.APPLIED
    assert seen == [application.pk]


def test_a_registered_submission_check_blocks_submission(people, customer, version, monkeypatch):
    monkeypatch.setattr(services, "_submission_checks", [lambda app: {"documents": ["缺少身份证正面"]}])
    application = make_application(people["agent"], customer, version)

    with pytest.raises(ValidationFailed) as caught:
        application_submit(actor=people["agent"], application_id=application.pk)

    assert caught.value.fields == {"documents": ["缺少身份证正面"]}


def test_status_moves_only_along_the_table(people, customer, version):
    application = make_application(people["agent"], customer, version)
    with pytest.raises(InvalidTransition):
        application_set_status(application_id=application.pk, status=Status.AUTO_APPROVED)
    application_submit(actor=people["agent"], application_id=application.pk)
    application_set_status(application_id=application.pk, status=Status.PRE_SCREENING)
    application_set_status(application_id=application.pk, status=Status.REJECTED, reason="R01")

    application.refresh_from_db()
    assert application.status == Status.REJECTED
    assert application.decided_at is not None and application.closed_at is not None
    history = list(ApplicationStatusChange.objects.filter(application=application).values_list("to_status", flat=True))
    assert history == ["rejected", "pre_screening", "submitted", "draft"]
    with pytest.raises(InvalidTransition):
        application_set_status(application_id=application.pk, status=Status.MANUAL_REVIEW)


def test_withdraw_needs_a_reason(people, customer, version):
    application = make_application(people["agent"], customer, version)
    with pytest.raises(ValidationFailed):
        application_withdraw(actor=people["agent"], application_id=application.pk, reason=" ")
    application_withdraw(actor=people["agent"], application_id=application.pk, reason="客户不再需要")
    application.refresh_from_db()
    assert application.status == Status.WITHDRAWN and application.closed_at is not None


def test_a_customer_acts_only_on_their_own_applications(people, customer, version):
    me = CustomerPrincipal(customer.pk, customer.number)
    mine = application_create(
        actor=me, customer_id=customer.pk, product_version_id=version.pk, channel=Channel.H5, values=VALUES
    )
    other = make_customer(people["agent"], name="赵六")
    with pytest.raises(NotFound):
        application_create(
            actor=me, customer_id=other.pk, product_version_id=version.pk, channel=Channel.H5, values=VALUES
        )
    theirs = make_application(people["agent"], other, version)
    with pytest.raises(NotFound):
        application_submit(actor=me, application_id=theirs.pk)

    application_submit(actor=me, application_id=mine.pk)
    assert AuditEvent.objects.get(action="application.submitted").actor_repr == f"customer:{customer.number}"


def test_education_is_declared_on_the_application_defaulting_to_the_profile(people, version):
    customer = make_customer(people["agent"], education="college")
    application = make_application(people["agent"], customer, version)
    assert application.education == "college"

    application_update(actor=people["agent"], application_id=application.pk, values={"education": "master"})
    with pytest.raises(ValidationFailed) as caught:
        application_update(actor=people["agent"], application_id=application.pk, values={"education": "phd"})

    application.refresh_from_db()
    assert application.education == "master" and "education" in caught.value.fields
