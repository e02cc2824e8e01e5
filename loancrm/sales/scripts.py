"""The script library (话术库): talk tracks, FAQ and objection handling, managed by sales leads, read by agents.

Invariants: only holders of ``sales.change_script`` write; retired scripts (inactive) stay for history but are not
offered; search matches title, text and keywords; a lead is offered the scripts of its stage and desired product
first, then the general ones.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from loancrm.core.audit import audit_event
from loancrm.core.errors import NotFound, PermissionDenied, ValidationFailed
from loancrm.leads.choices import Stage
from loancrm.leads.models import Lead
from loancrm.sales.models import Script, ScriptKind


def search_scripts(
    *, q: str = "", kind: str = "", product: str = "", stage: str = "", active: bool = True
) -> QuerySet[Script]:
    qs = Script.objects.all()
    if active:
        qs = qs.filter(active=True)
    for word in q.split()[:5]:
        qs = qs.filter(Q(title__icontains=word) | Q(body__icontains=word) | Q(keywords__icontains=word))
    if kind:
        qs = qs.filter(kind=kind)
    if product:
        qs = qs.filter(product__in=[product, ""])
    if stage:
        qs = qs.filter(stage__in=[stage, ""])
    return qs.select_related("updated_by")


def scripts_for_lead(lead: Lead, limit: int = 6) -> list[Script]:
    """Active scripts for the lead's stage and product, the most specific first."""
    specificity = Case(When(stage=lead.stage, then=Value(2)), default=Value(0), output_field=IntegerField()) + Case(
        When(product=lead.desired_product, product__gt="", then=Value(1)), default=Value(0), output_field=IntegerField()
    )
    qs = search_scripts(product=lead.desired_product, stage=lead.stage)
    return list(qs.annotate(specificity=specificity).order_by("-specificity", "position", "title")[:limit])


@transaction.atomic
def script_save(
    *,
    actor: Any,
    title: str,
    body: str,
    kind: str = ScriptKind.SCRIPT,
    product: str = "",
    stage: str = "",
    keywords: str = "",
    position: int = 100,
    active: bool = True,
    script_id: int | None = None,
    request: HttpRequest | None = None,
) -> Script:
    if not actor.has_perm("sales.change_script"):
        raise PermissionDenied()
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = [_("This field is required.")]
    if not body.strip():
        errors["body"] = [_("This field is required.")]
    if kind not in ScriptKind.values:
        errors["kind"] = [_("Choose one of the allowed values.")]
    if stage and stage not in Stage.values:
        errors["stage"] = [_("Choose one of the allowed values.")]
    if errors:
        raise ValidationFailed(fields=errors)
    script = Script.objects.select_for_update().filter(pk=script_id).first() if script_id else Script()
    if script is None:
        raise NotFound()
    created = script.pk is None
    script.kind, script.title, script.product, script.stage = kind, title.strip()[:100], product.strip()[:60], stage
    script.body, script.keywords, script.position, script.active = (
        body.strip(),
        keywords.strip()[:200],
        position,
        active,
    )
    script.updated_by, script.updated_at = actor, timezone.now()
    script.save()
    audit_event(actor, "sales.script_saved", script, {"created": created, "title": script.title,
                                                      "active": script.active}, request)  # fmt: skip
    return script
