"""Tags on leads: manual ones set by agents, automatic ones kept in step with their CEL rule.

A rule is a Common Expression Language condition over the facts of ``lead_facts`` (e.g.
``positive_follow_ups >= 2``); it is checked when saved (it must compile, use only known facts and give a
boolean). Rule tags are added when the condition holds and removed when it stops holding; manual tags are only
changed by people, and a person cannot set or remove a rule tag.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date
from typing import Any

import cel
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from loancrm.core.audit import audit_event
from loancrm.core.business_date import current_business_date
from loancrm.core.china_ids import InvalidIdNumber, validate_id_number
from loancrm.core.errors import NotFound, PermissionDenied, ValidationFailed
from loancrm.leads.models import Lead
from loancrm.sales.access import workable_lead
from loancrm.sales.choices import Outcome
from loancrm.sales.models import FollowUp, LeadTag, Tag, TagColor

logger = logging.getLogger(__name__)

FACTS: dict[str, Any] = {
    "follow_ups": 0,
    "positive_follow_ups": 0,
    "refused_follow_ups": 0,
    "last_intention": "",
    "stage": "new",
    "channel": "",
    "campaign": "",
    "city": "",
    "desired_amount": 0.0,
    "hit_count": 0,
    "days_since_created": 0,
    "age": 0,
    "has_id_number": False,
}


def _age(id_number: str, today: date) -> int:
    """Age from the ID number (0 when there is none or it cannot be read)."""
    try:
        return validate_id_number(id_number, today=today).age(today) if id_number else 0
    except (InvalidIdNumber, ValueError):
        return 0


def lead_facts(lead: Lead, *, today: date | None = None) -> dict[str, Any]:
    """The values a tag rule can use (see FACTS for the names and types)."""
    today = today or current_business_date()
    history = list(
        FollowUp.objects.filter(lead=lead).order_by("created_at", "id").values_list("outcome", "intention_after")
    )
    return {
        "follow_ups": len(history),
        "positive_follow_ups": sum(1 for outcome, _i in history if outcome == Outcome.POSITIVE),
        "refused_follow_ups": sum(1 for outcome, _i in history if outcome == Outcome.REFUSED),
        "last_intention": history[-1][1] if history else "",
        "stage": lead.stage,
        "channel": lead.channel.code,
        "campaign": lead.campaign,
        "city": lead.city,
        "desired_amount": float(lead.desired_amount or 0),
        "hit_count": lead.hit_count,
        "days_since_created": (today - timezone.localtime(lead.created_at).date()).days,
        "age": _age(lead.id_number, today),
        "has_id_number": bool(lead.id_number),
    }


def check_rule(rule: str) -> list[str]:
    """Problems of a rule (empty when it can be saved)."""
    try:
        program = cel.compile(rule)
    except (ValueError, RuntimeError) as exc:
        return [_("The rule cannot be read: %(error)s") % {"error": str(exc).splitlines()[0][:200]}]
    unknown = sorted(set(program.variables()) - set(FACTS))
    if unknown:
        return [_("Unknown facts: %(names)s.") % {"names": ", ".join(unknown)}]
    try:
        result = program.execute(dict(FACTS))
    except (ValueError, RuntimeError, TypeError) as exc:
        return [_("The rule fails on a new lead: %(error)s") % {"error": str(exc)[:200]}]
    if not isinstance(result, bool):
        return [_("The rule must give true or false.")]
    return []


def rule_holds(tag: Tag, facts: dict[str, Any]) -> bool:
    try:
        return cel.evaluate(tag.rule, facts) is True
    except (ValueError, RuntimeError, TypeError):
        logger.warning("tag rule %s failed", tag.pk, exc_info=True)
        return False


def apply_tag_rules(leads: Iterable[Lead], *, today: date | None = None) -> tuple[int, int]:
    """Bring the rule tags of ``leads`` in step with their rules; returns (added, removed)."""
    rules = list(Tag.objects.filter(active=True).exclude(rule=""))
    added = removed = 0
    if not rules and not LeadTag.objects.filter(by_rule=True).exists():
        return 0, 0
    today = today or current_business_date()
    for lead in leads:
        facts = lead_facts(lead, today=today)
        holding = {tag.pk for tag in rules if rule_holds(tag, facts)}
        present = set(LeadTag.objects.filter(lead=lead, by_rule=True).values_list("tag_id", flat=True))
        new = [LeadTag(lead=lead, tag_id=pk, by_rule=True) for pk in holding - present]
        added += len(LeadTag.objects.bulk_create(new, ignore_conflicts=True))
        stale = {tag.pk for tag in rules} & (present - holding)
        removed += LeadTag.objects.filter(lead=lead, by_rule=True, tag_id__in=stale).delete()[0]
    return added, removed


@transaction.atomic
def tag_save(
    *,
    actor: Any,
    name: str,
    color: str = TagColor.BLUE,
    rule: str = "",
    description: str = "",
    active: bool = True,
    tag_id: int | None = None,
    request: HttpRequest | None = None,
) -> Tag:
    """Create or change a tag; a rule is validated with ``check_rule``."""
    if not actor.has_perm("sales.change_tag"):
        raise PermissionDenied()
    name, rule = name.strip(), rule.strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("This field is required.")]
    elif Tag.objects.filter(name=name).exclude(pk=tag_id or 0).exists():
        errors["name"] = [_("A tag with this name exists.")]
    if color not in TagColor.values:
        errors["color"] = [_("Choose one of the allowed values.")]
    if rule and (problems := check_rule(rule)):
        errors["rule"] = problems
    if errors:
        raise ValidationFailed(fields=errors)
    tag = Tag.objects.select_for_update().filter(pk=tag_id).first() if tag_id else Tag()
    if tag is None:
        raise NotFound()
    before = {"name": tag.name, "rule": tag.rule, "active": tag.active} if tag.pk else None
    tag.name, tag.color, tag.rule, tag.description, tag.active = (
        name[:30],
        color,
        rule,
        description.strip()[:200],
        active,
    )
    tag.save()
    after = {"name": tag.name, "rule": tag.rule, "active": tag.active}
    audit_event(actor, "sales.tag_saved", tag, {"before": before, "after": after}, request)
    return tag


def _manual_tag(tag_id: int) -> Tag:
    tag = Tag.objects.filter(pk=tag_id, active=True).first()
    if tag is None:
        raise NotFound()
    if tag.is_automatic:
        raise ValidationFailed(_("This tag is set by its rule, not by hand."))
    return tag


@transaction.atomic
def lead_tag_add(*, actor: Any, lead_id: int, tag_id: int, request: HttpRequest | None = None) -> LeadTag:
    """Put a manual tag on a lead the actor works."""
    lead = workable_lead(actor, lead_id)
    tag = _manual_tag(tag_id)
    link, created = LeadTag.objects.get_or_create(lead=lead, tag=tag, defaults={"added_by": actor})
    if created:
        audit_event(actor, "sales.lead_tagged", lead, {"tag": tag.name}, request)
    return link


@transaction.atomic
def lead_tag_remove(*, actor: Any, lead_id: int, tag_id: int, request: HttpRequest | None = None) -> None:
    lead = workable_lead(actor, lead_id)
    tag = _manual_tag(tag_id)
    if LeadTag.objects.filter(lead=lead, tag=tag).delete()[0]:
        audit_event(actor, "sales.lead_untagged", lead, {"tag": tag.name}, request)
