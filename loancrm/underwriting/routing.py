"""Which review team an application goes to, and who in the team gets it. Pure: no Django.

A rule matches when every criterion it sets holds: amount within [min, max] (either bound open), the product code
among its codes, the risk level among its levels, and the application's or the customer's organisation unit inside
its unit (path prefix). Empty criteria match anything. Active rules are tried by priority (then id); when none
matches, the first default rule applies; with no default, ``None`` (the case cannot be routed yet).

Assignment: ``workload`` picks the member with the fewest open cases (ties: the lowest id); ``round_robin`` the
member after the last one assigned (by id, wrapping around).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class RuleSpec:
    id: int
    team_id: int
    priority: int = 100
    is_default: bool = False
    active: bool = True
    min_amount: Decimal | None = None
    max_amount: Decimal | None = None
    product_codes: tuple[str, ...] = ()
    risk_levels: tuple[str, ...] = ()
    unit_path: str = ""


@dataclass(frozen=True)
class Facts:
    amount: Decimal
    product_code: str
    risk_level: str
    unit_paths: tuple[str, ...] = field(default_factory=tuple)


def matches(rule: RuleSpec, facts: Facts) -> bool:
    if rule.min_amount is not None and facts.amount < rule.min_amount:
        return False
    if rule.max_amount is not None and facts.amount > rule.max_amount:
        return False
    if rule.product_codes and facts.product_code not in rule.product_codes:
        return False
    if rule.risk_levels and facts.risk_level not in rule.risk_levels:
        return False
    return not rule.unit_path or any(path.startswith(rule.unit_path) for path in facts.unit_paths if path)


def route(rules: Sequence[RuleSpec], facts: Facts) -> RuleSpec | None:
    """The rule that applies to ``facts`` (the first match by priority, else the default), or None."""
    active = sorted((r for r in rules if r.active), key=lambda r: (r.priority, r.id))
    for rule in active:
        if not rule.is_default and matches(rule, facts):
            return rule
    return next((rule for rule in active if rule.is_default), None)


def pick_by_workload(members: Sequence[int], open_cases: Mapping[int, int]) -> int | None:
    if not members:
        return None
    return min(sorted(members), key=lambda member: open_cases.get(member, 0))


def pick_round_robin(members: Sequence[int], last: int | None) -> int | None:
    ordered = sorted(members)
    if not ordered:
        return None
    if last is None:
        return ordered[0]
    return next((member for member in ordered if member > last), ordered[0])
