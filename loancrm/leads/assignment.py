"""Choosing the agent for a new lead: round robin, weighted, by region or by free capacity, per channel/campaign.

Invariants: only active, on-duty sales agents of the receiving team (or its sub-units) are chosen; an agent at
capacity (open leads ≥ their maximum) is skipped — the count is taken in the statement that books the agent, after
the agent's duty row is locked, so concurrent intakes cannot push an agent over capacity; a skipped agent's turn
(``last_assigned_at``, the round-robin order) moves to now, as a round passes over whoever cannot take a lead; with
nobody available the lead stays unowned in the receiving team's pool. The hot path is a few raw statements
(candidates, then lock and book one duty row): intake runs it for every lead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol

from django.db import connection
from django.utils import timezone

from loancrm.accounts.models import OrgUnit
from loancrm.leads.choices import Stage
from loancrm.leads.intake_context import Team
from loancrm.leads.models import AgentDuty, AssignmentRule, AssignmentStrategy, Channel

OPEN_STAGES = (Stage.NEW, Stage.CONTACTED, Stage.INTERESTED, Stage.PREPARING)
DEFAULT_CAPACITY = int(AgentDuty._meta.get_field("capacity").get_default())
_OPEN = ", ".join(f"'{stage.value}'" for stage in OPEN_STAGES)
_OPEN_COUNT = f"(SELECT COUNT(*) FROM leads_lead l WHERE l.owner_id = u.id AND l.stage IN ({_OPEN}))"  # noqa: S608


@dataclass(frozen=True)
class Agent:
    """The booked agent: what the lead row, its timeline entry and the audit event need."""

    pk: int
    username: str
    display_name: str
    org_unit_id: int | None


@dataclass(frozen=True)
class Assignment:
    agent: Agent | None
    team_id: int | None
    strategy: str


def rule_for(channel: Channel, campaign: str) -> AssignmentRule | None:
    """The active rule of the campaign, else of the whole channel."""
    rules = {rule.campaign: rule for rule in channel.rules.filter(active=True, campaign__in=[campaign, ""])}
    return rules.get(campaign) or rules.get("")


def region_team_code(regions: dict[str, str], *, region_code: str, city: str) -> str | None:
    """The code of the team mapped to the longest matching region-code prefix, else to the city name."""
    codes = sorted((key for key in regions if key.isdigit() and region_code.startswith(key)), key=len, reverse=True)
    key = codes[0] if codes else next((k for k in regions if not k.isdigit() and city and k in city), None)
    return regions[key] if key else None


def region_team(regions: dict[str, str], *, region_code: str, city: str) -> OrgUnit | None:
    """The team mapped to the longest matching region-code prefix, else to the city name."""
    code = region_team_code(regions, region_code=region_code, city=city)
    return OrgUnit.objects.filter(code=code).first() if code else None


@dataclass
class Candidate:
    pk: int
    username: str
    max_open: int
    total: int
    has_duty: bool
    open_leads: int = 0
    full_name: str = ""
    org_unit_id: int | None = None
    turn: int = 0  # place in the round: lower = longer since their last turn

    @property
    def room(self) -> int:
        return self.max_open - self.open_leads


class Ranked(Protocol):
    """What the order of agents reads: leads ever assigned, open leads they may still take, place in the round."""

    @property
    def username(self) -> str: ...
    @property
    def total(self) -> int: ...
    @property
    def room(self) -> int: ...
    @property
    def turn(self) -> int: ...


def agent_weight(weights: dict[str, Any], username: str) -> int:
    return int(weights.get(username, 0) or 0)


def turn_order(strategy: str, weights: dict[str, Any]) -> Callable[[Ranked], tuple[float, int]]:
    """The strategy's order of agents, smallest first — the one rule for single and bulk intake: weighted by
    (assigned + 1) / weight, by capacity most free room first, round robin longest since their turn; ties by turn."""
    if strategy == AssignmentStrategy.WEIGHTED and weights:
        return lambda agent: ((agent.total + 1) / agent_weight(weights, agent.username), agent.turn)
    if strategy == AssignmentStrategy.BY_CAPACITY:
        return lambda agent: (-agent.room, agent.turn)
    return lambda agent: (agent.turn, 0)


@cache
def _candidates_sql(with_counts: bool) -> str:
    open_leads = _OPEN_COUNT if with_counts else "0"
    return f"""
SELECT u.id, u.username, COALESCE(d.capacity, {DEFAULT_CAPACITY}), COALESCE(d.assigned_total, 0),
       CASE WHEN d.id IS NULL THEN 0 ELSE 1 END, {open_leads}, u.full_name, u.org_unit_id
FROM accounts_user u
JOIN accounts_orgunit o ON o.id = u.org_unit_id
LEFT JOIN leads_agentduty d ON d.user_id = u.id
WHERE u.is_active AND o.path LIKE %s AND (d.on_duty IS NULL OR d.on_duty)
  AND EXISTS (SELECT 1 FROM accounts_user_groups ug JOIN accounts_roleprofile rp ON rp.group_id = ug.group_id
              WHERE ug.user_id = u.id AND rp.code = 'sales_agent')
ORDER BY CASE WHEN d.last_assigned_at IS NULL THEN 0 ELSE 1 END, d.last_assigned_at, u.id"""  # noqa: S608


def _candidates(team: Team, *, with_counts: bool) -> list[Candidate]:
    """On-duty agents of the team, least recently given a turn first (one query). Open-lead counts are read only
    when the strategy needs them to order or filter (by capacity, weighted: a full agent with the best weight would
    otherwise be tried first on every intake); round robin leaves the capacity check to the booking, which counts
    one agent's leads instead of the whole team's, and moves a full agent to the back of the round."""
    with connection.cursor() as cursor:
        cursor.execute(_candidates_sql(with_counts), [team.path + "%"])  # paths are digits and slashes ("1/4/9/")
        rows = cursor.fetchall()
    return [
        Candidate(pk, username, int(max_open), int(total), bool(has_duty), int(open_leads), full_name or "", unit, turn)
        for turn, (pk, username, max_open, total, has_duty, open_leads, full_name, unit) in enumerate(rows)
    ]


def _ordered(agents: list[Candidate], strategy: str, weights: dict[str, Any]) -> list[Candidate]:
    """Agents with free capacity (as far as counted) in the strategy's order; the booking counts again."""
    free = [agent for agent in agents if agent.room > 0]
    if strategy == AssignmentStrategy.WEIGHTED and weights:
        free = [agent for agent in free if agent_weight(weights, agent.username) > 0]
    return sorted(free, key=turn_order(strategy, weights))


def _team_by_code(code: str) -> Team | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, path FROM accounts_orgunit WHERE code = %s", [code])
        row = cursor.fetchone()
    return Team(int(row[0]), str(row[1])) if row else None


_LOCK = "SELECT id FROM leads_agentduty WHERE user_id = %s FOR UPDATE"
_BOOK = f"""UPDATE leads_agentduty SET last_assigned_at = %s, assigned_total = assigned_total + 1
WHERE user_id = %s AND on_duty AND capacity > (SELECT COUNT(*) FROM leads_lead l WHERE l.owner_id = %s
AND l.stage IN ({_OPEN}))"""  # noqa: S608


_LOSE_TURN = "UPDATE leads_agentduty SET last_assigned_at = %s WHERE user_id = %s"


def _book(candidate: Candidate, *, skip_locked: bool) -> bool:
    """Lock the agent's duty row (PostgreSQL; SQLite write transactions are serial) and book one more lead if the
    agent is still on duty and under capacity. The count runs after the lock, in a statement of its own, so it sees
    every lead committed by an intake that held the lock before."""
    with connection.cursor() as cursor:
        if connection.features.has_select_for_update:
            cursor.execute(_LOCK + (" SKIP LOCKED" if skip_locked else ""), [candidate.pk])
            if cursor.fetchone() is None:
                return False
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        cursor.execute(_BOOK, [now, candidate.pk, candidate.pk])
        if cursor.rowcount == 1:
            return True
        # Full (or just gone off duty): the agent loses this turn of the round, as when a round-robin skips
        # someone, so the next intakes try the agents with room first instead of counting this one's leads again.
        cursor.execute(_LOSE_TURN, [now, candidate.pk])
        return False


def pick_agent(
    channel: Channel, *, rule: AssignmentRule | None, team: Team | None, region_code: str = "", city: str = ""
) -> Assignment:
    """Choose and book the agent for a new lead (call inside the intake transaction). ``rule`` and ``team`` come
    from the intake context: the campaign's (else the channel's) rule and its (else the channel's) team."""
    strategy = rule.strategy if rule else AssignmentStrategy.ROUND_ROBIN
    if rule and strategy == AssignmentStrategy.BY_REGION:
        code = region_team_code(rule.regions, region_code=region_code, city=city)
        team = (_team_by_code(code) if code else None) or team
    if team is None:
        return Assignment(None, None, strategy)
    counted = strategy in (AssignmentStrategy.BY_CAPACITY, AssignmentStrategy.WEIGHTED)
    candidates = _candidates(team, with_counts=counted)
    ordered = _ordered(candidates, strategy, rule.weights if rule else {})
    if not ordered:
        return Assignment(None, team.pk, strategy)
    missing = [c for c in ordered if not c.has_duty]
    if missing:
        AgentDuty.objects.bulk_create([AgentDuty(user_id=c.pk) for c in missing], ignore_conflicts=True)
    # First pass skips agents another intake is booking right now (PostgreSQL), so concurrent intakes spread over
    # the team instead of queueing on one row; the second pass waits for them.
    for skip_locked in (True, False):
        for candidate in ordered:
            if _book(candidate, skip_locked=skip_locked):
                agent = Agent(candidate.pk, candidate.username, candidate.full_name or candidate.username,
                              candidate.org_unit_id)  # fmt: skip
                return Assignment(agent, team.pk, strategy)
        if not connection.features.has_select_for_update:
            break  # no row locks to skip: the first pass already saw every agent
    return Assignment(None, team.pk, strategy)
