"""Choosing the agent for a new lead: round robin, weighted, by region or by free capacity, per channel/campaign.

Invariants: only active, on-duty sales agents of the receiving team (or its sub-units) are chosen; an agent at
capacity (open leads ≥ their maximum) is skipped — the count is taken after the agent's duty row is locked, so
concurrent intakes cannot push an agent over capacity; with nobody available the lead stays unowned in the
receiving team's pool.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Count, F, Q, Value
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


@dataclass
class Candidate:
    pk: int
    username: str
    max_open: int
    total: int
    has_duty: bool
    open_leads: int = 0


def _candidates(team: OrgUnit) -> list[Candidate]:
    """On-duty agents of the team, least recently assigned first, with their open-lead counts (two queries)."""
    rows = (
        User.objects.filter(is_active=True, groups__role__code="sales_agent", org_unit__path__startswith=team.path)
        .exclude(duty__on_duty=False)
        .annotate(
            max_open=Coalesce(F("duty__capacity"), Value(DEFAULT_CAPACITY)),
            total=Coalesce(F("duty__assigned_total"), Value(0)),
        )
        .order_by(F("duty__last_assigned_at").asc(nulls_first=True), "pk")
        .annotate(has_duty=Q(duty__isnull=False))
        .values_list("pk", "username", "max_open", "total", "has_duty")
    )
    candidates = [Candidate(*row) for row in rows]
    counts = dict(
        Lead.objects.filter(owner__in=[c.pk for c in candidates], stage__in=OPEN_STAGES)
        .values("owner")
        .annotate(n=Count("id"))
        .values_list("owner", "n")
    )
    for candidate in candidates:
        candidate.open_leads = counts.get(candidate.pk, 0)
    return candidates


def _ordered(agents: list[Candidate], strategy: str, weights: dict[str, Any]) -> list[Candidate]:
    """Agents with free capacity in the strategy's order (the count is checked again under the agent's lock)."""
    free = [agent for agent in agents if agent.open_leads < agent.max_open]
    if strategy == AssignmentStrategy.WEIGHTED and weights:
        weighted = [(agent, int(weights.get(agent.username, 0) or 0)) for agent in free]
        weighted = [(agent, weight) for agent, weight in weighted if weight > 0]
        return [agent for agent, weight in sorted(weighted, key=lambda pair: (pair[0].total + 1) / pair[1])]
    if strategy == AssignmentStrategy.BY_CAPACITY:
        return sorted(free, key=lambda agent: agent.open_leads - agent.max_open)
    return free  # round robin: least recently assigned first


def pick_agent(channel: Channel, *, campaign: str = "", region_code: str = "", city: str = "") -> Assignment:
    """Choose and book the agent for a new lead (call inside the intake transaction)."""
    rule = rule_for(channel, campaign)
    strategy = rule.strategy if rule else AssignmentStrategy.ROUND_ROBIN
    team = (rule.team if rule else None) or channel.team
    if rule and strategy == AssignmentStrategy.BY_REGION:
        team = region_team(rule.regions, region_code=region_code, city=city) or team
    if team is None:
        return Assignment(None, None, strategy)
    ordered = _ordered(_candidates(team), strategy, rule.weights if rule else {})
    if not ordered:
        return Assignment(None, team, strategy)
    AgentDuty.objects.bulk_create([AgentDuty(user_id=c.pk) for c in ordered if not c.has_duty], ignore_conflicts=True)
    # First pass skips agents another intake is booking right now (PostgreSQL), so concurrent intakes spread over
    # the team instead of queueing on one row; the second pass waits for them.
    for skip_locked in (True, False):
        for candidate in ordered:
            duty = AgentDuty.objects.select_for_update(skip_locked=skip_locked).filter(user_id=candidate.pk).first()
            if duty is None or not duty.on_duty:
                continue
            open_leads = Lead.objects.filter(owner_id=candidate.pk, stage__in=OPEN_STAGES).count()
            if open_leads < duty.capacity:
                duty.last_assigned_at = timezone.now()
                duty.assigned_total = F("assigned_total") + 1
                duty.save(update_fields=["last_assigned_at", "assigned_total"])
                agent = User.objects.select_related("org_unit").get(pk=candidate.pk)
                return Assignment(agent, team, strategy)
        if connection.vendor != "postgresql":
            break  # no row locks to skip: the first pass already saw every agent
    return Assignment(None, team, strategy)
