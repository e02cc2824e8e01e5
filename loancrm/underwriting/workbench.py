"""What the reviewer workbench shows for one case: the application and its terms, a customer summary, documents,
the OCR reading, external data, the decision's rule hits and score, earlier applications and loans, interactions,
phone verifications and opinions. Reads only (the case was fetched in the viewer's scope)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone

from loancrm.applications.models import Application
from loancrm.core.masking import mask
from loancrm.externaldata.models import ExternalQuery, Kind, QueryStatus
from loancrm.loans.choices import RepaymentMethod
from loancrm.underwriting import sla
from loancrm.underwriting.choices import (
    WORKING_STATUSES,
    CallResult,
    CallTarget,
    CaseStatus,
    ConditionKind,
    ItemAnswer,
    Recommendation,
)
from loancrm.underwriting.models import ReviewCase, ReviewOpinion

EXTERNAL_SHOWN = (Kind.BUREAU, Kind.MULTI_LENDING, Kind.COURT, Kind.BLACKLIST)


def countdown_of(case: ReviewCase, now: Any = None) -> sla.Countdown | None:
    if case.status not in (CaseStatus.QUEUED, CaseStatus.CLAIMED, CaseStatus.REFERRED_BACK):
        return None
    import datetime as dt

    return sla.countdown(
        case.due_at, now or timezone.now(), remind_before=dt.timedelta(hours=case.team.remind_before_hours)
    )


def _plain_rows(value: Any, prefix: str = "") -> list[tuple[str, str]]:
    """A provider response flattened to (key, value) rows for display (lists shown by their length)."""
    rows: list[tuple[str, str]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            name = f"{prefix}{key}"
            if isinstance(item, dict):
                rows.extend(_plain_rows(item, f"{name}."))
            elif isinstance(item, list):
                rows.append(
                    (name, f"[{len(item)}]" if item and isinstance(item[0], dict) else ", ".join(map(str, item)))
                )
            else:
                rows.append((name, "—" if item is None else str(item)))
    return rows


def external_of(customer: Any) -> list[dict[str, Any]]:
    kinds = dict(Kind.choices)
    found: dict[str, ExternalQuery] = {}
    rows = ExternalQuery.objects.filter(customer=customer, kind__in=EXTERNAL_SHOWN, status=QueryStatus.OK).order_by(
        "kind", "-completed_at", "-id"
    )
    for row in rows:
        found.setdefault(row.kind, row)
    return [
        {"kind": kind, "label": kinds.get(kind, kind), "query": found.get(kind),
         "rows": _plain_rows(found[kind].response) if kind in found else []}
        for kind in EXTERNAL_SHOWN
    ]  # fmt: skip


def interactions_of(application: Application) -> list[Any]:
    from loancrm.customers.models import CustomerLead
    from loancrm.sales.models import Interaction

    leads = set(CustomerLead.objects.filter(customer_id=application.customer_id).values_list("lead_id", flat=True))
    if application.lead_id:
        leads.add(application.lead_id)
    if not leads:
        return []
    return list(Interaction.objects.filter(lead_id__in=leads).select_related("actor").order_by("-occurred_at")[:30])


def opinions_of(application: Application) -> list[ReviewOpinion]:
    return list(
        ReviewOpinion.objects.filter(application=application)
        .select_related("created_by")
        .prefetch_related("conditions__met_by")
    )


def workbench(case: ReviewCase, viewer: Any) -> dict[str, Any]:
    from loancrm.decisioning import presentation
    from loancrm.decisioning.models import Decision
    from loancrm.documents.models import IdCardReading
    from loancrm.documents.selectors import documents_of, reading_view
    from loancrm.loans.models import Loan
    from loancrm.underwriting.phone import checklist_for
    from loancrm.underwriting.services import SUPERVISE, WORK, team_members

    application = Application.objects.select_related(
        "customer", "product_version__product", "owner", "org_unit", "lead"
    ).get(pk=case.application_id)
    customer = application.customer
    version = application.product_version
    decision = Decision.objects.select_related("rule_set", "scorecard").filter(application=application).first()
    reading = IdCardReading.objects.filter(application=application).order_by("-created_at", "-id").first()
    mobile = customer.mobiles.filter(is_primary=True).first()
    working = case.assignee_id == viewer.pk and case.status in WORKING_STATUSES and viewer.has_perm(WORK)
    opinions = opinions_of(application)
    methods = dict(RepaymentMethod.choices)
    phone_checks = list(case.phone_checks.select_related("created_by"))
    context: dict[str, Any] = {
        "case": case,
        "application": application,
        "customer": customer,
        "mobile": mask("mobile", mobile.mobile) if mobile else "",
        "version": version,
        "method_choices": [(m, methods.get(m, m)) for m in version.methods],
        "method_label": methods.get(application.method, application.method),
        "countdown": countdown_of(case),
        "decision": decision,
        "decision_view": presentation.decision_view(decision) if decision else None,
        "documents": documents_of(application),
        "ocr": reading_view(reading),
        "external": external_of(customer),
        "earlier_applications": list(
            Application.objects.filter(customer=customer)
            .exclude(pk=application.pk)
            .select_related("product_version__product")
            .order_by("-created_at")[:20]
        ),
        "loans": list(Loan.objects.filter(customer=customer).order_by("-booked_at")[:20]),
        "interactions": interactions_of(application),
        "phone_checks": phone_checks,
        "pending_call": next((p for p in phone_checks if p.is_pending and p.created_by_id == viewer.pk), None),
        "checklist": checklist_for(version.product.code),
        "call_results": CallResult.choices,
        "call_targets": CallTarget.choices,
        "item_answers": ItemAnswer.choices,
        "opinions": opinions,
        "latest_opinion": opinions[0] if opinions else None,
        "recommendations": Recommendation.choices,
        "condition_kinds": ConditionKind.choices,
        "condition_rows": range(3),
        "working": working,
        "can_claim": case.status == CaseStatus.QUEUED
        and case.assignee_id in (None, viewer.pk)
        and viewer.has_perm(WORK)
        and team_members(case.team).filter(pk=viewer.pk).exists(),
        "can_release": case.status == CaseStatus.CLAIMED and case.assignee_id == viewer.pk,
        "can_reassign": viewer.has_perm(SUPERVISE)
        and case.status in (CaseStatus.QUEUED, CaseStatus.CLAIMED, CaseStatus.REFERRED_BACK),
        "members": list(team_members(case.team)) if viewer.has_perm(SUPERVISE) else [],
        "can_mark_met": viewer.has_perm("underwriting.mark_condition_met"),
        "default_terms": {
            "amount": decision.suggested_limit if decision and decision.suggested_limit else application.amount,
            "annual_rate": decision.suggested_rate if decision and decision.suggested_rate else application.annual_rate,
            "term_months": application.term_months,
            "method": application.method,
        },
    }
    rate = context["default_terms"]["annual_rate"]
    context["default_terms"]["annual_rate_pct"] = format(Decimal(rate) * 100, "f").rstrip("0").rstrip(".")
    return context
