"""The repayment waterfall (pure: no Django): how an amount received pays a loan's open instalments.

Default order: overdue instalments (due before the value date) oldest first, within each fee → penalty → interest →
principal; then the current instalment (the first one due on or after the value date) in the same order; whatever is
left is an advance held for the next due date. ``by_component`` takes one component across every overdue instalment
before the next component (a "horizontal" waterfall some products use).

Invariants: parts are positive, never exceed what an instalment owes for that component, and together with the
advance sum exactly to the amount.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from loancrm.core.money import ZERO, quantize_money

__all__ = [
    "COMPONENTS",
    "DEFAULT_ORDER",
    "Allocation",
    "Component",
    "Due",
    "Mode",
    "Part",
    "allocate_payment",
    "parse_order",
]


class Component(StrEnum):
    FEE = "fee"
    PENALTY = "penalty"
    INTEREST = "interest"
    PRINCIPAL = "principal"


COMPONENTS = tuple(Component)
DEFAULT_ORDER: tuple[Component, ...] = (Component.FEE, Component.PENALTY, Component.INTEREST, Component.PRINCIPAL)


class Mode(StrEnum):
    BY_INSTALLMENT = "by_installment"
    BY_COMPONENT = "by_component"


@dataclass(frozen=True, slots=True)
class Due:
    """What one instalment still owes, per component (``key`` is the caller's handle, e.g. the row id)."""

    key: int
    due_date: date
    fee: Decimal = ZERO
    penalty: Decimal = ZERO
    interest: Decimal = ZERO
    principal: Decimal = ZERO

    def owed(self, component: Component) -> Decimal:
        return getattr(self, component.value)

    @property
    def total(self) -> Decimal:
        return self.fee + self.penalty + self.interest + self.principal


@dataclass(frozen=True, slots=True)
class Part:
    key: int
    component: Component
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Allocation:
    parts: tuple[Part, ...]
    advance: Decimal

    def total(self, component: Component | None = None) -> Decimal:
        return sum((p.amount for p in self.parts if component is None or p.component is component), ZERO)


def parse_order(text: str) -> tuple[Component, ...]:
    """``"penalty,interest,principal,fee"`` → components; each exactly once (ValueError otherwise)."""
    order = tuple(Component(name.strip()) for name in text.split(",") if name.strip())
    if sorted(order) != sorted(COMPONENTS):
        raise ValueError("the order must name fee, penalty, interest and principal once each")
    return order


def allocate_payment(
    amount: Decimal,
    dues: Sequence[Due],
    *,
    value_date: date,
    order: Sequence[Component] = DEFAULT_ORDER,
    mode: Mode | str = Mode.BY_INSTALLMENT,
    include_current: bool = True,
) -> Allocation:
    """Split ``amount`` (positive, on the fen) over ``dues``; see the module docstring for the order."""
    if not isinstance(amount, Decimal) or quantize_money(amount) != amount or amount <= 0:
        raise ValueError("the amount must be positive and on the fen")
    ordered = sorted((d for d in dues if d.total > 0), key=lambda d: (d.due_date, d.key))
    overdue = [d for d in ordered if d.due_date < value_date]
    current = [d for d in ordered if d.due_date >= value_date][:1] if include_current else []
    steps: list[tuple[Due, Component]]
    if Mode(mode) is Mode.BY_COMPONENT:
        steps = [(due, component) for component in order for due in overdue]
    else:
        steps = [(due, component) for due in overdue for component in order]
    steps += [(due, component) for due in current for component in order]
    left, parts = amount, []
    for due, component in steps:
        if left == 0:
            break
        share = min(left, due.owed(component))
        if share > 0:
            parts.append(Part(due.key, component, share))
            left -= share
    return Allocation(tuple(parts), left)
