"""Choosing the agent for a new lead: round robin, weighted, by region or by free capacity, per channel/campaign.

Invariants: only active, on-duty sales agents of the receiving team (or its sub-units) are chosen; an agent at
capacity (open leads ≥ their maximum) is skipped — the count is taken after the agent's duty row is locked, so
concurrent intakes cannot push an agent over capacity; with nobody available the lead stays unowned in the
receiving team's pool.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from loancrm.accounts.models import OrgUnit, User
from loancrm.leads.choices import Stage
from loancrm.leads.models import AgentDuty, AssignmentRule, AssignmentStrategy, Channel, Lead

OPEN_STAGES = (Stage.NEW, Stage.CONTACTED, Stage.INTERESTED, Stage.PREPARING)
DEFAULT_CAPACITY = 200


@dataclass(frozen=True)
class Assignment:
    agent: User | None
    team: OrgUnit | None
    strategy: str


def rule_for(channel: Channel, campaign: str) -> AssignmentRule | None:
    """The active rule of the campaign, else of the whole channel."""
    rules = {rule.campaign: rule for rule in channel.rules.filter(active=True, campaign__in=[campaign, ""])}
    return rules.get(campaign) or rules.get("")


def region_team(regions: dict[str, str], *, region_code: str, city: str) -> OrgUnit | None:
    """The team mapped to the longest matching region-code prefix, else to the city name."""
    codes = sorted((key for key in regions if key.isdigit() and region_code.startswith(key)), key=len, reverse=True)
    key = codes[0] if codes else next((k for k in regions if not k.isdigit() and city and k in city), None)
    return OrgUnit.objects.filter(code=regions[key]).first() if key else None


def _candidates(team: OrgUnit) -> list[Any]:
    return list(
        User.objects.filter(is_active=True, groups__role__code="sales_agent", org_unit__path__startswith=team.path)
        .exclude(duty__on_duty=False)
        .annotate(
            max_open=Coalesce(F("duty__capacity"), Value(DEFAULT_CAPACITY)),
            total=Coalesce(F("duty__assigned_total"), Value(0)),
        )
        .select_related("org_unit")
        .order_by(F("duty__last_assigned_at").asc(nulls_first=True), "pk")
    )


def _ordered(agents: list[Any], strategy: str, weights: dict[str, Any]) -> list[Any]:
    if strategy == AssignmentStrategy.WEIGHTED and weights:
        weighted = [(agent, int(weights.get(agent.username, 0) or 0)) for agent in agents]
        weighted = [(agent, weight) for agent, weight in weighted if weight > 0]
        return [agent for agent, weight in sorted(weighted, key=lambda pair: (pair[0].total + 1) / pair[1])]
    if strategy == AssignmentStrategy.BY_CAPACITY:
        counts = dict(
            Lead.objects.filter(owner__in=agents, stage__in=OPEN_STAGES)
            .values("owner")
            .annotate(n=Count("id"))
            .values_list("owner", "n")
        )
        return sorted(agents, key=lambda agent: counts.get(agent.pk, 0) - agent.max_open)
    return agents  # round robin: least recently assigned first


def pick_agent(channel: Channel, *, campaign: str = "", region_code: str = "", city: str = "") -> Assignment:
    """Choose and book the agent for a new lead (call inside the intake transaction)."""
    rule = rule_for(channel, campaign)
    strategy = rule.strategy if rule else AssignmentStrategy.ROUND_ROBIN
    team = (rule.team if rule else None) or channel.team
    if rule and strategy == AssignmentStrategy.BY_REGION:
        team = region_team(rule.regions, region_code=region_code, city=city) or team
    if team is None:
        return Assignment(None, None, strategy)
    for agent in _ordered(_candidates(team), strategy, rule.weights if rule else {}):
        duty, _created = AgentDuty.objects.select_for_update().get_or_create(user=agent)
        if not duty.on_duty:
            continue
        open_leads = Lead.objects.filter(owner=agent, stage__in=OPEN_STAGES).count()
        if open_leads < duty.capacity:
            duty.last_assigned_at = timezone.now()
            duty.assigned_total = F("assigned_total") + 1
            duty.save(update_fields=["last_assigned_at", "assigned_total"])
            return Assignment(agent, team, strategy)
    return Assignment(None, team, strategy)
