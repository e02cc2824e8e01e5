"""Writes of the assignment configuration: rules per channel/campaign and agents' duty and capacity.

Invariants: a rule names an existing channel, a known strategy, agents of the sales-agent role in its weights
(positive whole numbers) and existing teams in its regions; one rule per (channel, campaign); only a manager
whose scope covers an agent changes that agent's duty; every change is audited with before and after.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from loancrm.accounts.models import OrgUnit, User
from loancrm.accounts.scope import scope_q
from loancrm.core.audit import audit_event
from loancrm.core.errors import NotFound, PermissionDenied, ValidationFailed
from loancrm.leads.models import AgentDuty, AssignmentRule, AssignmentStrategy, Channel

MAX_WEIGHT = 100


def parse_pairs(text: str) -> dict[str, str]:
    """``key = value`` lines (also ``key:value`` or ``key,value``) to a dict; blank lines are skipped."""
    pairs: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        for separator in ("=", "：", ":", "，", ","):
            if separator in line:
                key, value = (part.strip() for part in line.split(separator, 1))
                break
        else:
            raise ValueError(line)
        if not key or not value:
            raise ValueError(line)
        pairs[key] = value
    return pairs


def _rule_state(rule: AssignmentRule) -> dict[str, Any]:
    return {"strategy": rule.strategy, "team": rule.team.code if rule.team else None, "weights": rule.weights,
            "regions": rule.regions, "active": rule.active}  # fmt: skip


@transaction.atomic
def assignment_rule_save(
    *,
    actor: Any,
    channel_code: str,
    campaign: str,
    strategy: str,
    team_code: str = "",
    weights: dict[str, str] | None = None,
    regions: dict[str, str] | None = None,
    active: bool = True,
    request: HttpRequest | None = None,
) -> AssignmentRule:
    """Create or replace the rule of (channel, campaign)."""
    if not actor.has_perm("leads.change_assignmentrule"):
        raise PermissionDenied()
    errors: dict[str, list[str]] = {}
    channel = Channel.objects.filter(code=channel_code).first()
    if channel is None:
        errors["channel"] = [_("Unknown channel.")]
    if strategy not in AssignmentStrategy.values:
        errors["strategy"] = [_("Choose one of the allowed values.")]
    team = OrgUnit.objects.filter(code=team_code).first() if team_code else None
    if team_code and team is None:
        errors["team"] = [_("Unknown team code: %(code)s.") % {"code": team_code}]
    clean_weights: dict[str, int] = {}
    for username, raw in (weights or {}).items():
        if not str(raw).isdigit() or not 0 < int(raw) <= MAX_WEIGHT:
            errors.setdefault("weights", []).append(_("Weight of %(user)s must be 1–100.") % {"user": username})
        elif not User.objects.filter(username=username, groups__role__code="sales_agent").exists():
            errors.setdefault("weights", []).append(_("%(user)s is not a sales agent.") % {"user": username})
        else:
            clean_weights[username] = int(raw)
    if strategy == AssignmentStrategy.WEIGHTED and not clean_weights and "weights" not in errors:
        errors["weights"] = [_("Give at least one agent a weight.")]
    clean_regions: dict[str, str] = {}
    for key, code in (regions or {}).items():
        if not OrgUnit.objects.filter(code=code).exists():
            errors.setdefault("regions", []).append(_("Unknown team code: %(code)s.") % {"code": code})
        else:
            clean_regions[key] = code
    if strategy == AssignmentStrategy.BY_REGION and not clean_regions and "regions" not in errors:
        errors["regions"] = [_("Map at least one region to a team.")]
    if errors:
        raise ValidationFailed(fields=errors)
    assert channel is not None
    campaign = campaign.strip()[:80]
    rule = AssignmentRule.objects.select_for_update().filter(channel=channel, campaign=campaign).first()
    before = _rule_state(rule) if rule else None
    rule = rule or AssignmentRule(channel=channel, campaign=campaign)
    rule.strategy, rule.team, rule.weights, rule.regions, rule.active = (
        strategy, team, clean_weights, clean_regions, active
    )  # fmt: skip
    try:
        with transaction.atomic():
            rule.save()
    except IntegrityError as exc:
        raise ValidationFailed(
            fields={"campaign": [_("A rule for this campaign was just saved by someone else.")]}
        ) from exc
    audit_event(actor, "lead.assignment_rule_saved", rule, {"before": before, "after": _rule_state(rule)}, request)
    return rule


@transaction.atomic
def agent_duty_set(
    *, actor: Any, user_id: int, on_duty: bool, capacity: int, request: HttpRequest | None = None
) -> AgentDuty:
    """Put an agent of the actor's scope on or off duty and set their open-lead capacity (0–10,000)."""
    if not actor.has_perm("leads.change_agentduty"):
        raise PermissionDenied()
    agent = (
        User.objects.filter(scope_q(actor, owner="pk", org_unit="org_unit"), pk=user_id, is_active=True)
        .filter(groups__role__code="sales_agent")
        .first()
    )
    if agent is None:
        raise NotFound()
    if not 0 <= capacity <= 10_000:
        raise ValidationFailed(fields={"capacity": [_("Between 0 and 10,000.")]})
    duty, _created = AgentDuty.objects.select_for_update().get_or_create(user=agent)
    before = {"on_duty": duty.on_duty, "capacity": duty.capacity}
    duty.on_duty, duty.capacity = on_duty, capacity
    duty.save(update_fields=["on_duty", "capacity"])
    audit_event(actor, "lead.agent_duty_changed", agent, {"before": before,
                                                         "after": {"on_duty": on_duty, "capacity": capacity}},
                request)  # fmt: skip
    return duty
