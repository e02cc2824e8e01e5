"""Reading the overdue rules and band tables (data rows, seeded with the defaults; see ``overdue`` for the maths).

A product without its own ``OverdueRule`` uses the default row (product code ""); without that row either, the
built-in defaults (grace 0, multiplier 1.5, compound on, /360). Products arrive with #7: the rule is keyed by the
loan's ``product_code`` until then.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from loancrm.servicing.models import DpdBucket, OverdueRule, RiskClassBand
from loancrm.servicing.overdue import DEFAULT_BUCKETS, DEFAULT_CLASSES, Band, check_bands


@dataclass(frozen=True, slots=True)
class Terms:
    grace_days: int = 0
    penalty_multiplier: Decimal = Decimal("1.50")
    compound: bool = True
    day_count: int = 360


DEFAULT_TERMS = Terms()


class Rules:
    """The rules of every product, read once (a batch partition reads them at its start)."""

    def __init__(self) -> None:
        self._terms = {
            rule.product_code: Terms(rule.grace_days, rule.penalty_multiplier, rule.compound, rule.day_count)
            for rule in OverdueRule.objects.all()
        }
        self.default = self._terms.get("", DEFAULT_TERMS)

    def terms(self, product_code: str) -> Terms:
        return self._terms.get(product_code, self.default)


def rule_for(product_code: str) -> Terms:
    return Rules().terms(product_code)


def bucket_bands() -> tuple[Band, ...]:
    """The bucket table (checked), the defaults when it is empty."""
    bands = tuple(Band(b.code, b.min_dpd, b.max_dpd) for b in DpdBucket.objects.order_by("min_dpd"))
    check_bands(bands or DEFAULT_BUCKETS)
    return bands or DEFAULT_BUCKETS


def class_bands() -> tuple[Band, ...]:
    bands = tuple(Band(b.risk_class, b.min_dpd, b.max_dpd) for b in RiskClassBand.objects.order_by("min_dpd"))
    check_bands(bands or DEFAULT_CLASSES)
    return bands or DEFAULT_CLASSES
