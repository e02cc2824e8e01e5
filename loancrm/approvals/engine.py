"""The approval engine: pure logic, no Django import.

A policy version is a list of **routes**; the first route (in the policy's order) whose risk levels include the
case's risk level (an empty list: any level) and whose ``max_amount`` (inclusive; ``None``: no ceiling) covers the
amount is the case's route. A route is the ordered list of the steps **after the reviewer** (the reviewer's opinion
is step "0" and is not listed: a route without steps means the reviewer's opinion is the whole approval).

A step's kind:

- ``single``: one approver holding the step's role (or the named user); their decision is the step's.
- ``or_sign`` (或签): any one of the named roles/users; the first decision is the step's.
- ``countersign`` (会签): every named role/user must approve (one person fills one slot); any rejection rejects.
- ``vote`` (贷审会): the eligible members are the holders of the named roles and the named users; the step is
  approved when at least ``ceil(threshold × members)`` approve and at least ``quorum`` have voted; it is rejected as
  soon as the threshold can no longer be met (approvals + members yet to vote < required).

Everyone decides at most once per step, both as a person (``actor``) and as the seat they act for (``principal``:
themselves, or the delegator whose step they take over while a delegation is active). A ``refer_back`` at any step
ends the round: the case waits for the reviewer's next opinion, which starts a new round at the first step.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

SINGLE, COUNTERSIGN, OR_SIGN, VOTE = "single", "countersign", "or_sign", "vote"
KINDS = (SINGLE, COUNTERSIGN, OR_SIGN, VOTE)
APPROVE, REJECT, REFER_BACK = "approve", "reject", "refer_back"
DECISIONS = (APPROVE, REJECT, REFER_BACK)
APPROVED, REJECTED, REFERRED_BACK, PENDING = "approved", "rejected", "referred_back", "pending"
RISK_LEVELS = ("low", "medium", "high")
DEFAULT_SLA_HOURS = 24

# Refusal codes of ``check_action``.
NOT_PENDING, ALREADY_ACTED, NOT_AN_APPROVER = "not_pending", "already_acted", "not_an_approver"


@dataclass(frozen=True)
class Approver:
    """A role code or a username (exactly one of the two)."""

    role: str = ""
    user: str = ""

    def matches(self, person: Person) -> bool:
        return person.key == self.user if self.user else self.role in person.roles

    def as_dict(self) -> dict[str, str]:
        return {"user": self.user} if self.user else {"role": self.role}


@dataclass(frozen=True)
class Person:
    key: str
    roles: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Step:
    kind: str
    approvers: tuple[Approver, ...]
    threshold: Fraction = Fraction(1)
    quorum: int = 1
    sla_hours: int = DEFAULT_SLA_HOURS
    label: str = ""

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind}
        if self.label:
            data["label"] = self.label
        if self.kind == SINGLE:
            data.update(self.approvers[0].as_dict())
        else:
            data["approvers"] = [a.as_dict() for a in self.approvers]
        if self.kind == VOTE:
            data["threshold"] = f"{self.threshold.numerator}/{self.threshold.denominator}"
            data["quorum"] = self.quorum
        data["sla_hours"] = self.sla_hours
        return data


@dataclass(frozen=True)
class Route:
    code: str
    label: str
    max_amount: Decimal | None
    risk_levels: tuple[str, ...]
    steps: tuple[Step, ...]

    def covers(self, amount: Decimal, risk_level: str) -> bool:
        if self.risk_levels and risk_level not in self.risk_levels:
            return False
        return self.max_amount is None or amount <= self.max_amount

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "label": self.label,
            "max_amount": None if self.max_amount is None else f"{self.max_amount:.2f}",
            "risk_levels": list(self.risk_levels),
            "steps": [s.as_dict() for s in self.steps],
        }


@dataclass(frozen=True)
class Action:
    step: int
    actor: str
    principal: str
    decision: str


@dataclass(frozen=True)
class StepState:
    index: int
    outcome: str
    may_act: frozenset[str]
    approvals: int
    rejections: int
    required: int
    eligible: int
    filled: tuple[tuple[Approver, str | None], ...] = ()
    blocked: bool = False

    @property
    def complete(self) -> bool:
        return self.outcome != PENDING


@dataclass(frozen=True)
class CaseState:
    outcome: str
    current_step: int | None
    steps: tuple[StepState, ...] = field(default_factory=tuple)

    @property
    def may_act(self) -> frozenset[str]:
        if self.current_step is None or self.outcome != PENDING:
            return frozenset()
        return self.steps[self.current_step].may_act


@dataclass(frozen=True)
class Problem:
    path: str
    code: str
    param: str = ""


class PolicyInvalid(ValueError):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(f"{p.path}: {p.code}" for p in problems))


# --- evaluation ------------------------------------------------------------------------------------------------


def _eligible(step: Step, people: Iterable[Person]) -> list[Person]:
    return [p for p in people if any(a.matches(p) for a in step.approvers)]


def step_state(index: int, step: Step, actions: Sequence[Action], people: Sequence[Person]) -> StepState:
    """The state of one step from its actions (in the order they were taken) and the people who could act."""
    mine = [a for a in actions if a.step == index]
    eligible = _eligible(step, people)
    acted_principals = {a.principal for a in mine}
    open_people = [p for p in eligible if p.key not in acted_principals]
    yes = sum(1 for a in mine if a.decision == APPROVE)
    no = sum(1 for a in mine if a.decision == REJECT)
    if any(a.decision == REFER_BACK for a in mine):
        return StepState(index, REFERRED_BACK, frozenset(), yes, no, 1, len(eligible))
    if step.kind in (SINGLE, OR_SIGN):
        outcome = APPROVED if mine and mine[0].decision == APPROVE else REJECTED if mine else PENDING
        may = frozenset(p.key for p in open_people) if outcome == PENDING else frozenset()
        return StepState(index, outcome, may, yes, no, 1, len(eligible), blocked=outcome == PENDING and not may)
    if step.kind == COUNTERSIGN:
        slots: list[str | None] = [None] * len(step.approvers)
        by_key = {p.key: p for p in people}
        for action in mine:
            if action.decision != APPROVE:
                continue
            person = by_key.get(action.principal, Person(action.principal))
            for i, approver in enumerate(step.approvers):
                if slots[i] is None and approver.matches(person):
                    slots[i] = action.principal
                    break
        filled = tuple(zip(step.approvers, slots, strict=True))
        if no:
            return StepState(index, REJECTED, frozenset(), yes, no, len(slots), len(eligible), filled)
        if all(s is not None for s in slots):
            return StepState(index, APPROVED, frozenset(), yes, no, len(slots), len(eligible), filled)
        unfilled = [a for a, s in filled if s is None]
        may = frozenset(p.key for p in open_people if any(a.matches(p) for a in unfilled))
        return StepState(index, PENDING, may, yes, no, len(slots), len(eligible), filled, blocked=not may)
    # vote: members are the eligible people plus anyone who already voted (membership may have changed since)
    members = {p.key for p in eligible} | acted_principals
    n = len(members)
    required = max(1, math.ceil(step.threshold * n))
    remaining = n - len(acted_principals)
    if yes >= required and len(acted_principals) >= step.quorum:
        outcome = APPROVED
    elif n >= step.quorum and yes + remaining < required:
        outcome = REJECTED
    else:
        outcome = PENDING
    may = frozenset(p.key for p in open_people) if outcome == PENDING else frozenset()
    blocked = outcome == PENDING and (not may or n < step.quorum)
    return StepState(index, outcome, may, yes, no, required, n, blocked=blocked)


def evaluate(steps: Sequence[Step], actions: Sequence[Action], people: Sequence[Person]) -> CaseState:
    """The case's state: the current step (the first one not approved), who may act there and the outcome."""
    states: list[StepState] = []
    for index, step in enumerate(steps):
        state = step_state(index, step, actions, people)
        states.append(state)
        if state.outcome == APPROVED:
            continue
        return CaseState(state.outcome, index, tuple(states))
    return CaseState(APPROVED, None, tuple(states))


def check_action(
    steps: Sequence[Step], actions: Sequence[Action], people: Sequence[Person], *, actor: str, principal: str
) -> str | None:
    """Why ``actor`` (acting for ``principal``) may not decide now — a refusal code — or ``None``."""
    state = evaluate(steps, actions, people)
    if state.outcome != PENDING or state.current_step is None:
        return NOT_PENDING
    current = [a for a in actions if a.step == state.current_step]
    if any(a.actor == actor or a.principal == principal for a in current):
        return ALREADY_ACTED
    if principal not in state.may_act:
        return NOT_AN_APPROVER
    return None


def choose_route(routes: Sequence[Route], amount: Decimal, risk_level: str) -> Route | None:
    """The first route (in the policy's order) that covers the amount and the risk level."""
    return next((r for r in routes if r.covers(amount, risk_level)), None)


# --- parsing and validation ------------------------------------------------------------------------------------


def _approver(raw: Any, path: str, problems: list[Problem], roles: frozenset[str] | None) -> Approver | None:
    if not isinstance(raw, dict):
        problems.append(Problem(path, "approver_shape"))
        return None
    role, user = str(raw.get("role") or "").strip(), str(raw.get("user") or "").strip()
    if bool(role) == bool(user) or set(raw) - {"role", "user"}:
        problems.append(Problem(path, "approver_shape"))
        return None
    if role and roles is not None and role not in roles:
        problems.append(Problem(path, "unknown_role", role))
        return None
    return Approver(role=role, user=user)


def _fraction(raw: Any) -> Fraction | None:
    try:
        value = Fraction(str(raw).strip())
    except (ValueError, ZeroDivisionError):
        return None
    return value if 0 < value <= 1 else None


def _step(raw: Any, path: str, problems: list[Problem], roles: frozenset[str] | None) -> Step | None:
    if not isinstance(raw, dict):
        problems.append(Problem(path, "step_shape"))
        return None
    kind = raw.get("kind")
    if kind not in KINDS:
        problems.append(Problem(f"{path}.kind", "unknown_kind", str(kind)))
        return None
    before = len(problems)
    approvers: list[Approver] = []
    if kind == SINGLE:
        one = _approver({k: v for k, v in raw.items() if k in ("role", "user")}, path, problems, roles)
        approvers = [one] if one else []
    else:
        listed = raw.get("approvers")
        if not isinstance(listed, list) or not listed:
            problems.append(Problem(f"{path}.approvers", "approvers_missing"))
        else:
            for i, item in enumerate(listed):
                found = _approver(item, f"{path}.approvers[{i}]", problems, roles)
                if found:
                    approvers.append(found)
            if kind == COUNTERSIGN and len(listed) < 2:
                problems.append(Problem(f"{path}.approvers", "countersign_needs_two"))
            if len(set(approvers)) != len(approvers):
                problems.append(Problem(f"{path}.approvers", "approver_twice"))
    threshold, quorum = Fraction(1), 1
    if kind == VOTE:
        share = _fraction(raw.get("threshold"))
        if share is None:
            problems.append(Problem(f"{path}.threshold", "threshold_invalid"))
        else:
            threshold = share
        raw_quorum = raw.get("quorum", 1)
        if not isinstance(raw_quorum, int) or isinstance(raw_quorum, bool) or raw_quorum < 1:
            problems.append(Problem(f"{path}.quorum", "quorum_invalid"))
        else:
            quorum = raw_quorum
    sla = raw.get("sla_hours", DEFAULT_SLA_HOURS)
    if not isinstance(sla, int) or isinstance(sla, bool) or not 1 <= sla <= 24 * 30:
        problems.append(Problem(f"{path}.sla_hours", "sla_invalid"))
        sla = DEFAULT_SLA_HOURS
    allowed = {"kind", "label", "sla_hours", "role", "user"} if kind == SINGLE else {"kind", "label", "sla_hours",
                                                                                      "approvers"}  # fmt: skip
    if kind == VOTE:
        allowed |= {"threshold", "quorum"}
    for extra in sorted(set(raw) - allowed):
        problems.append(Problem(f"{path}.{extra}", "unknown_field", extra))
    if len(problems) > before:
        return None
    return Step(kind, tuple(approvers), threshold, quorum, sla, str(raw.get("label") or "")[:60])


def _amount(raw: Any) -> Decimal | None:
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        return None
    if not value.is_finite() or value <= 0 or value.quantize(Decimal("0.01")) != value:
        return None
    return value


def parse_routes(data: Any, *, roles: Iterable[str] | None = None) -> list[Route]:
    """Validate a policy's routes (the stored JSON); ``PolicyInvalid`` lists every problem with its path."""
    known = frozenset(roles) if roles is not None else None
    problems: list[Problem] = []
    if not isinstance(data, list) or not data:
        raise PolicyInvalid([Problem("routes", "routes_missing")])
    routes: list[Route] = []
    codes: set[str] = set()
    for r, raw in enumerate(data):
        path = f"routes[{r}]"
        if not isinstance(raw, dict):
            problems.append(Problem(path, "route_shape"))
            continue
        before = len(problems)
        code = str(raw.get("code") or "").strip()
        if not code:
            problems.append(Problem(f"{path}.code", "code_missing"))
        elif code in codes:
            problems.append(Problem(f"{path}.code", "code_twice", code))
        codes.add(code)
        max_amount = None
        if raw.get("max_amount") is not None:
            max_amount = _amount(raw["max_amount"])
            if max_amount is None:
                problems.append(Problem(f"{path}.max_amount", "amount_invalid"))
        levels = raw.get("risk_levels", [])
        if not isinstance(levels, list) or any(level not in RISK_LEVELS for level in levels):
            problems.append(Problem(f"{path}.risk_levels", "risk_invalid"))
            levels = []
        steps_raw = raw.get("steps", [])
        if not isinstance(steps_raw, list):
            problems.append(Problem(f"{path}.steps", "steps_shape"))
            steps_raw = []
        steps = [_step(s, f"{path}.steps[{i}]", problems, known) for i, s in enumerate(steps_raw)]
        for extra in sorted(set(raw) - {"code", "label", "max_amount", "risk_levels", "steps"}):
            problems.append(Problem(f"{path}.{extra}", "unknown_field", extra))
        if len(problems) == before:
            label = str(raw.get("label") or code)[:80]
            routes.append(Route(code, label, max_amount, tuple(levels), tuple(s for s in steps if s)))
    if not problems and not any(r.max_amount is None and not r.risk_levels for r in routes):
        problems.append(Problem("routes", "no_catch_all"))
    if problems:
        raise PolicyInvalid(problems)
    return routes


def describe_routes(routes: Sequence[Route]) -> list[str]:
    """One line per route and step (for the diff between versions)."""
    lines: list[str] = []
    for route in routes:
        ceiling = "∞" if route.max_amount is None else f"{route.max_amount:,.2f}"
        risk = ",".join(route.risk_levels) or "*"
        lines.append(f"[{route.code}] {route.label} · amount ≤ {ceiling} · risk {risk}")
        for i, step in enumerate(route.steps, start=1):
            who = " + ".join(a.role or f"@{a.user}" for a in step.approvers)
            extra = f" ≥{step.threshold} quorum {step.quorum}" if step.kind == VOTE else ""
            lines.append(f"    {route.code}.{i} {step.kind}: {who}{extra} · SLA {step.sla_hours}h")
    return lines
