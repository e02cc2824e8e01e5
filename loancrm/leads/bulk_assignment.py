"""Assigning a chunk of new leads in one pass by the rules ``pick_agent`` applies to one lead at a time.

Invariants: a row follows the active rule of its campaign, else the channel's rule (``rule_for``), else round robin
over the channel's team; by region picks the team per row with ``region_team`` (region code, else the ID number's
first six digits, and the city), falling back to the rule's or the channel's team; only active, on-duty sales agents
of the team's subtree are candidates; all candidates' duty rows are locked (in user order, so concurrent bulk
intakes cannot deadlock each other) before their open leads are counted, and no agent receives more than capacity
minus open leads. Within the chunk the choice evolves as if the rows arrived one by one: round robin takes the least
recently assigned agent; weighted the agent with the smallest (assigned total + 1) / weight (agents without a weight
get none, no weights at all is round robin); by capacity the agent with the most free room; ties go to the least
recently assigned. A row nobody can take stays in its team's pool. ``record_turns`` books the created leads on the
duty rows so the next chunk and single intake continue from there.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from django.db import connection
from django.db.models import F

from loancrm.accounts.models import OrgUnit, User
from loancrm.core.sql import one_of
from loancrm.leads.assignment import OPEN_STAGES, AssignmentStrategy, agent_weight, region_team, rule_for, turn_order
from loancrm.leads.models import AgentDuty, AssignmentRule, Channel, Lead


class Assignable(Protocol):
    campaign: str
    region: str
    city: str
    owner_id: int | None
    org_unit_id: int | None
    assigned_at: datetime | None


@dataclass
class _Agent:
    pk: int
    username: str
    unit_id: int | None
    room: int
    total: int
    turn: int  # lower = assigned longer ago
    version: int = 0  # bumped on every assignment, so stale heap entries are recognised


class _Queue:
    """The candidates of one (team, strategy, weights) in the strategy's order: a heap with lazy re-keying."""

    def __init__(self, strategy: str, weights: dict[str, Any], agents: list[_Agent]):
        if strategy == AssignmentStrategy.WEIGHTED and weights:
            agents = [a for a in agents if agent_weight(weights, a.username) > 0]
        self.key: Callable[[_Agent], tuple[float, int]] = turn_order(strategy, weights)
        self.agents = {a.pk: a for a in agents}
        self.heap = [(self.key(a), a.version, a.pk) for a in agents if a.room > 0]
        heapq.heapify(self.heap)

    def take(self, turn: int) -> _Agent | None:
        """The agent for the next lead (booked: one room less, one more in total, ``turn`` as last turn)."""
        while self.heap:
            _key, version, pk = self.heap[0]
            agent = self.agents[pk]
            if agent.room <= 0:
                heapq.heappop(self.heap)
            elif version != agent.version:  # booked through another queue since this entry was pushed
                heapq.heapreplace(self.heap, (self.key(agent), agent.version, pk))
            else:
                agent.room, agent.total, agent.turn, agent.version = agent.room - 1, agent.total + 1, turn, version + 1
                if agent.room > 0:
                    heapq.heapreplace(self.heap, (self.key(agent), agent.version, pk))
                else:
                    heapq.heappop(self.heap)
                return agent
        return None


def _candidates(team: OrgUnit) -> list[int]:
    return list(
        User.objects.filter(is_active=True, groups__role__code="sales_agent", org_unit__path__startswith=team.path)
        .exclude(duty__on_duty=False)
        .values_list("pk", flat=True)
        .distinct()
    )


def _open_leads(agent_ids: list[int]) -> dict[int, int]:
    """Open leads per agent: a ``count(*)`` per agent (an index-only scan of (owner, stage), no sort of the rows)."""
    lead, user = (connection.ops.quote_name(Model._meta.db_table) for Model in (Lead, User))
    agents, in_agents = one_of("u.id", agent_ids)
    stages = ", ".join(["%s"] * len(OPEN_STAGES))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT u.id, (SELECT count(*) FROM {lead} l WHERE l.owner_id = u.id AND l.stage IN ({stages})) "  # noqa: S608
            f"FROM {user} u WHERE {agents}",
            [*OPEN_STAGES, *in_agents],
        )
        return {int(agent_id): int(n) for agent_id, n in cursor.fetchall()}


def _lock_agents(agent_ids: set[int]) -> dict[int, _Agent]:
    """The agents still on duty once their duty rows are locked, with free room, total and round-robin turn."""
    AgentDuty.objects.bulk_create([AgentDuty(user_id=pk) for pk in sorted(agent_ids)], ignore_conflicts=True)
    duties = list(
        AgentDuty.objects.select_for_update()
        .filter(user_id__in=agent_ids, on_duty=True)
        .order_by("user_id")
        .values_list("user_id", "capacity", "assigned_total", "last_assigned_at")
    )
    users = {pk: (name, unit) for pk, name, unit in User.objects.filter(pk__in=agent_ids).values_list(
        "pk", "username", "org_unit_id")}  # fmt: skip
    open_leads = _open_leads([pk for pk, *_rest in duties])
    never = [duty for duty in duties if duty[3] is None]  # never assigned: first, by user id (as ``pick_agent``)
    by_turn = never + sorted((duty for duty in duties if duty[3] is not None), key=lambda duty: (duty[3], duty[0]))
    return {
        pk: _Agent(pk, *users[pk], room=capacity - open_leads.get(pk, 0), total=total, turn=turn)
        for turn, (pk, capacity, total, _last) in enumerate(by_turn)
    }


class _Plan:
    """Per row: the rule, team and candidates, each looked up once per chunk."""

    def __init__(self, channel: Channel):
        self.channel = channel
        self.by_campaign: dict[str, tuple[AssignmentRule | None, OrgUnit | None, int | None]] = {}
        self.regional: dict[tuple[int, str, str], OrgUnit | None] = {}
        self.members: dict[int, list[int]] = {}

    def _campaign(self, campaign: str) -> tuple[AssignmentRule | None, OrgUnit | None, int | None]:
        """(rule, default team, and for a by-region rule the length of its longest region code)."""
        if campaign not in self.by_campaign:
            rule = rule_for(self.channel, campaign)
            team = (rule.team if rule else None) or self.channel.team
            longest = None
            if rule and rule.strategy == AssignmentStrategy.BY_REGION:
                longest = max((len(key) for key in rule.regions if key.isdigit()), default=0)
            self.by_campaign[campaign] = rule, team, longest
        return self.by_campaign[campaign]

    def route(self, row: Assignable) -> tuple[AssignmentRule | None, OrgUnit | None]:
        """The row's rule and receiving team (``pick_agent``'s choice)."""
        rule, team, longest = self._campaign(row.campaign)
        if rule is not None and longest is not None:
            # region_team reads the region code only as far as its longest mapped code: that prefix is the key
            key = (rule.pk, row.region[:longest], row.city)
            if key not in self.regional:
                self.regional[key] = region_team(rule.regions, region_code=row.region, city=row.city)
            team = self.regional[key] or team
        if team is not None and team.pk not in self.members:
            self.members[team.pk] = _candidates(team)
        return rule, team


def assign_rows(channel: Channel, rows: Sequence[Assignable], now: datetime) -> None:
    """Give ``rows`` (new, valid leads not inserted yet) their owner, unit and assignment time, or their team's pool."""
    plan = _Plan(channel)
    routes = [plan.route(row) for row in rows]
    agents = _lock_agents({pk for members in plan.members.values() for pk in members})
    queues: dict[tuple[int, int | None], _Queue] = {}
    turn = len(agents)
    for row, (rule, team) in zip(rows, routes, strict=True):
        row.owner_id, row.org_unit_id, row.assigned_at = None, team.pk if team else None, None
        if team is None:
            continue
        key = (team.pk, rule.pk if rule else None)
        queue = queues.get(key)
        if queue is None:
            members = [agents[pk] for pk in plan.members[team.pk] if pk in agents]
            strategy = rule.strategy if rule else AssignmentStrategy.ROUND_ROBIN
            queue = queues[key] = _Queue(strategy, rule.weights if rule else {}, members)
        agent = queue.take(turn)
        if agent is not None:
            turn += 1
            row.owner_id, row.org_unit_id, row.assigned_at = agent.pk, agent.unit_id or team.pk, now


def record_turns(created: Sequence[Assignable], now: datetime) -> int:
    """Book the created, assigned leads on their agents' duty rows: assigned total, and a last-assignment time that
    keeps the chunk's order (the last agent at ``now``, earlier turns a microsecond apart before it). Returns the
    number of assigned leads."""
    turns = [row.owner_id for row in created if row.owner_id is not None]
    last_turn = {agent_id: turn for turn, agent_id in enumerate(turns)}
    count: dict[int, int] = {}
    for agent_id in turns:
        count[agent_id] = count.get(agent_id, 0) + 1
    for agent_id, turn in last_turn.items():
        AgentDuty.objects.filter(user_id=agent_id).update(
            last_assigned_at=now - timedelta(microseconds=len(turns) - 1 - turn),
            assigned_total=F("assigned_total") + count[agent_id],
        )
    return len(turns)
