"""Every write to an application: create and edit a draft, submit, change status, withdraw.

Invariants: each function runs in one transaction, locks the application row before changing it and writes its
audit event in that transaction; a refusal (``DomainError``) leaves nothing behind. Terms are checked against the
product version the application names (``products.terms.check_application_terms``); a submitted application's
terms never change. Submitting moves the linked lead to the pipeline stage "application submitted" and, after
commit, queues the automated pre-screen.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loancrm.accounts.scope import scope_q
from loancrm.applications.choices import DECIDED, EDITABLE, STATUS_TRANSITIONS, Channel, Housing, Purpose, Status
from loancrm.applications.errors import ApplicationNotEditable
from loancrm.applications.models import Application, ApplicationStatusChange
from loancrm.applications.principal import audit_actor, is_customer, is_partner, partner_name
from loancrm.core.audit import audit_event
from loancrm.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from loancrm.core.form_values import decimal_value, int_value
from loancrm.customers.choices import Education
from loancrm.customers.models import Customer
from loancrm.products.models import ProductVersion, VersionStatus
from loancrm.products.terms import check_application_terms

Errors = dict[str, list[Any]]
TERM_FIELDS = ("amount", "term_months", "method", "annual_rate")
DECLARED_FIELDS = ("purpose", "monthly_income", "monthly_debt", "employment_years", "housing", "education", "region")
EDITABLE_FIELDS = TERM_FIELDS + DECLARED_FIELDS

TERM_MESSAGES: dict[str, Any] = {
    "below_min": _("Below the product's minimum."),
    "above_max": _("Above the product's maximum."),
    "not_allowed": _("This product does not offer this repayment method."),
}

# Called after a submission commits with the application id (decisioning registers the pre-screen here).
_on_submitted: list[Callable[[int], None]] = []


def on_submitted(callback: Callable[[int], None]) -> None:
    """Register ``callback(application_id)`` to run after each submission commits (idempotent per callback)."""
    if callback not in _on_submitted:
        _on_submitted.append(callback)


def ensure_transition(current: str, target: str) -> None:
    if target not in STATUS_TRANSITIONS.get(current, set()):
        raise InvalidTransition(
            _("An application cannot move from “%(current)s” to “%(target)s”.")
            % {"current": Status(current).label, "target": Status(target).label}
        )


def _choice(raw: Any, field: str, choices: Any, errors: Errors) -> str:
    value = str(raw or "").strip()
    if value and value not in choices.values:
        errors.setdefault(field, []).append(_("Choose one of the allowed values."))
        return ""
    return value


def clean_fields(values: Mapping[str, Any], version: ProductVersion, errors: Errors) -> dict[str, Any]:
    """The editable fields of ``values`` parsed and checked against ``version``; problems go to ``errors``."""
    cleaned: dict[str, Any] = {}
    if "amount" in values:
        cleaned["amount"] = decimal_value(values["amount"], "amount", errors, required=True)
    if "term_months" in values:
        cleaned["term_months"] = int_value(values["term_months"], "term_months", errors)
    if "method" in values:
        cleaned["method"] = str(values["method"] or "").strip()
    if "annual_rate" in values:
        rate = decimal_value(values["annual_rate"], "annual_rate", errors, places=6)
        cleaned["annual_rate"] = version.default_rate if rate is None else rate
    if "purpose" in values:
        cleaned["purpose"] = _choice(values["purpose"], "purpose", Purpose, errors) or Purpose.OTHER
    if "housing" in values:
        cleaned["housing"] = _choice(values["housing"], "housing", Housing, errors)
    if "education" in values:
        cleaned["education"] = _choice(values["education"], "education", Education, errors)
    for name in ("monthly_income", "monthly_debt"):
        if name in values:
            cleaned[name] = decimal_value(values[name], name, errors)
    if "employment_years" in values:
        years = decimal_value(values["employment_years"], "employment_years", errors, places=1)
        if years is not None and years > 60:
            errors.setdefault("employment_years", []).append(
                _("Enter a value from %(low)s to %(high)s.") % {"low": 0, "high": 60}
            )
        cleaned["employment_years"] = years
    if "region" in values:
        region = str(values["region"] or "").strip()
        if region and not (len(region) == 6 and region.isdigit()):
            errors.setdefault("region", []).append(_("Enter the 6-digit administrative division code."))
        cleaned["region"] = region
    return cleaned


def _check_terms(application: Application, errors: Errors) -> None:
    if any(getattr(application, name) is None for name in TERM_FIELDS) or errors:
        return
    problems = check_application_terms(
        application.product_version,
        amount=application.amount,
        term_months=application.term_months,
        method=application.method,
        rate=application.annual_rate,
    )
    for field, code in problems:
        errors.setdefault("annual_rate" if field == "rate" else field, []).append(TERM_MESSAGES[code])


def _raise_if(errors: Errors) -> None:
    if errors:
        raise ValidationFailed(fields=errors)


def _customer_for(actor: Any, customer_id: int, channel: str = "") -> Customer:
    if is_customer(actor):
        if actor.customer_id != customer_id:
            raise NotFound()
        return Customer.objects.get(pk=customer_id)
    if not actor.has_perm("applications.add_application"):
        raise PermissionDenied()
    if is_partner(actor) and channel == Channel.PARTNER:  # the partner identified the applicant by ID number
        customer = Customer.objects.filter(pk=customer_id).first()
        if customer is None:
            raise NotFound()
        return customer
    customer = Customer.objects.filter(scope_q(actor, owner="owner", org_unit="org_unit"), pk=customer_id).first()
    if customer is None:
        raise NotFound()
    return customer


def published_version(product_version_id: int) -> ProductVersion:
    version = (
        ProductVersion.objects.select_related("product")
        .filter(pk=product_version_id, status=VersionStatus.PUBLISHED, product__active=True)
        .first()
    )
    if version is None:
        raise ValidationFailed(fields={"product": [_("Choose a product that is on offer.")]})
    return version


def _latest_open_lead(customer: Customer) -> Any:
    from loancrm.leads.choices import CLOSED_STAGES
    from loancrm.leads.models import Lead

    return (
        Lead.objects.filter(customer_link__customer=customer)
        .exclude(stage__in=CLOSED_STAGES)
        .order_by("-created_at", "-id")
        .first()
    )


def _record(application: Application, before: str, after: str, actor: Any, reason: str = "") -> None:
    now = timezone.now()
    ApplicationStatusChange.objects.create(
        application=application,
        from_status=before,
        to_status=after,
        changed_at=now,
        actor=actor if getattr(actor, "pk", None) else None,
        reason=reason[:200],
    )
    application.status, application.status_changed_at = after, now


@transaction.atomic
def application_create(
    *,
    actor: Any,
    customer_id: int,
    product_version_id: int,
    channel: str,
    values: Mapping[str, Any],
    partner: str = "",
    external_ref: str = "",
    request: HttpRequest | None = None,
) -> Application:
    """A new draft for the customer under a published product version (terms checked when given in full)."""
    if channel not in Channel.values:
        raise ValidationFailed(fields={"channel": [_("Choose one of the allowed values.")]})
    customer = _customer_for(actor, customer_id, channel)
    version = published_version(product_version_id)
    errors: Errors = {}
    fields = clean_fields({"annual_rate": None, **values}, version, errors)
    attributes: dict[str, Any] = {
        "region": customer.id_number[:6] if customer.id_number else "",
        "monthly_income": customer.monthly_income,
        "employment_years": customer.years_employed,
        "education": customer.education,
    }
    attributes.update({name: value for name, value in fields.items() if value is not None})
    application = Application(
        customer=customer,
        product_version=version,
        channel=channel,
        partner=partner[:60],
        external_ref=external_ref[:64],
        lead=_latest_open_lead(customer),
        owner=customer.owner if is_customer(actor) or channel == Channel.PARTNER else actor,
        org_unit=customer.org_unit if is_customer(actor) else getattr(actor, "org_unit", None) or customer.org_unit,
        created_by=None if is_customer(actor) else actor,
        **attributes,
    )
    for name in TERM_FIELDS:
        if getattr(application, name, None) is None and name not in errors:
            errors.setdefault(name, []).append(_("This field is required."))
    _check_terms(application, errors)
    _raise_if(errors)
    application.save()
    application.number = f"A{application.pk:09d}"
    Application.objects.filter(pk=application.pk).update(number=application.number)
    _record(application, "", Status.DRAFT, actor)
    audit_event(
        audit_actor(actor),
        "application.created",
        application,
        {"after": _snapshot(application), "channel": channel, "partner": partner},
        request,
    )
    return application


def _snapshot(application: Application) -> dict[str, Any]:
    data: dict[str, Any] = {name: getattr(application, name) for name in EDITABLE_FIELDS}
    data["product_version"] = application.product_version_id
    return data


def locked_application(actor: Any, application_id: int, perm: str = "applications.change_application") -> Application:
    """The application row-locked, if ``actor`` may change it (a customer: only their own)."""
    rows = Application.objects.select_for_update(of=("self",)).select_related("product_version", "customer")
    if is_customer(actor):
        rows = rows.filter(customer_id=actor.customer_id)
    elif is_partner(actor):
        if not actor.has_perm(perm):
            raise PermissionDenied()
        rows = rows.filter(channel=Channel.PARTNER, partner=partner_name(actor))
    else:
        if not actor.has_perm(perm):
            raise PermissionDenied()
        rows = rows.filter(
            scope_q(actor, owner="owner", org_unit="org_unit")
            | scope_q(actor, owner="customer__owner", org_unit="customer__org_unit")
        )
    application = rows.filter(pk=application_id).first()
    if application is None:
        raise NotFound()
    return application


@transaction.atomic
def application_update(
    *, actor: Any, application_id: int, values: Mapping[str, Any], request: HttpRequest | None = None
) -> Application:
    """Change a draft's terms and declarations (only the names in ``values``)."""
    application = locked_application(actor, application_id)
    if application.status not in EDITABLE:
        raise ApplicationNotEditable()
    unknown = sorted(set(values) - set(EDITABLE_FIELDS))
    if unknown:
        raise ValidationFailed(fields={name: [_("This field cannot be changed here.")] for name in unknown})
    errors: Errors = {}
    before = _snapshot(application)
    for name, value in clean_fields(values, application.product_version, errors).items():
        setattr(application, name, value)
    _check_terms(application, errors)
    _raise_if(errors)
    application.save()
    after = _snapshot(application)
    changed = {k: v for k, v in after.items() if before[k] != v}
    if changed:
        audit_event(
            audit_actor(actor),
            "application.updated",
            application,
            {"before": {k: before[k] for k in changed}, "after": changed},
            request,
        )
    return application


def submission_problems(application: Application) -> Errors:
    """What stops ``application`` from being submitted: terms out of range, missing declarations or documents."""
    errors: Errors = {}
    for name in TERM_FIELDS:
        if getattr(application, name) is None:
            errors.setdefault(name, []).append(_("This field is required."))
    if application.monthly_income is None or application.monthly_income <= 0:
        errors.setdefault("monthly_income", []).append(_("Enter the monthly income."))
    if not application.housing:
        errors.setdefault("housing", []).append(_("This field is required."))
    if not application.region:
        errors.setdefault("region", []).append(_("Enter the 6-digit administrative division code."))
    if not application.customer.id_number:
        errors.setdefault("customer", []).append(_("The customer has no ID number on file."))
    _check_terms(application, errors)
    for check in _submission_checks:
        for field, messages in check(application).items():
            errors.setdefault(field, []).extend(messages)
    return errors


# Further submission checks registered by other modules (documents: the product checklist is complete).
_submission_checks: list[Callable[[Application], Errors]] = []


def add_submission_check(check: Callable[[Application], Errors]) -> None:
    if check not in _submission_checks:
        _submission_checks.append(check)


def _move_lead_to_applied(application: Application, actor: Any) -> None:
    from loancrm.leads.choices import Stage
    from loancrm.leads.pipeline import lead_stage_change

    lead = application.lead
    if lead is None or lead.stage == Stage.APPLIED:
        return
    try:
        lead_stage_change(actor=None, lead_id=lead.pk, stage=Stage.APPLIED, system=True)
    except InvalidTransition:
        return


@transaction.atomic
def application_submit(*, actor: Any, application_id: int, request: HttpRequest | None = None) -> Application:
    """Submit a complete draft: status ``submitted``, the lead's stage moves, the pre-screen is queued."""
    perm = "applications.submit_application"
    application = locked_application(actor, application_id, perm)
    ensure_transition(application.status, Status.SUBMITTED)
    errors = submission_problems(application)
    _raise_if(errors)
    _record(application, application.status, Status.SUBMITTED, actor)
    application.submitted_at = application.status_changed_at
    application.save(update_fields=["status", "status_changed_at", "submitted_at", "updated_at"])
    _move_lead_to_applied(application, actor)
    audit_event(audit_actor(actor), "application.submitted", application, {"after": _snapshot(application)}, request)
    for callback in list(_on_submitted):
        transaction.on_commit(functools.partial(callback, application.pk))
    return application


@transaction.atomic
def application_set_status(
    *, application_id: int, status: str, actor: Any = None, reason: str = "", request: HttpRequest | None = None
) -> Application:
    """Move an application along the transition table (used by decisioning and review; no permission check)."""
    application = Application.objects.select_for_update(of=("self",)).filter(pk=application_id).first()
    if application is None:
        raise NotFound()
    ensure_transition(application.status, status)
    before = application.status
    _record(application, before, status, actor, reason)
    update = ["status", "status_changed_at", "updated_at"]
    if status in DECIDED:
        application.decided_at = application.status_changed_at
        update.append("decided_at")
    if not STATUS_TRANSITIONS.get(status):
        application.closed_at = application.status_changed_at
        update.append("closed_at")
    application.save(update_fields=update)
    change = {"before": {"status": before}, "after": {"status": status}, "reason": reason}
    audit_event(audit_actor(actor), "application.status_changed", application, change, request)
    return application


@transaction.atomic
def application_withdraw(
    *, actor: Any, application_id: int, reason: str, request: HttpRequest | None = None
) -> Application:
    """The customer (or their account manager) withdraws the application; a reason is required."""
    if not reason.strip():
        raise ValidationFailed(fields={"reason": [_("Give the reason for withdrawing.")]})
    application = locked_application(actor, application_id)
    ensure_transition(application.status, Status.WITHDRAWN)
    before = application.status
    _record(application, before, Status.WITHDRAWN, actor, reason.strip())
    application.closed_at = application.status_changed_at
    application.save(update_fields=["status", "status_changed_at", "closed_at", "updated_at"])
    change = {"before": {"status": before}, "after": {"status": Status.WITHDRAWN}, "reason": reason.strip()}
    audit_event(audit_actor(actor), "application.withdrawn", application, change, request)
    return application
