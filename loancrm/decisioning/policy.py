"""The decision policy: hard rules, score cut-offs, suggested limit and price (pure, no Django).

Order (first that applies wins):

1. Data problems (no consent, a provider failure, a missing input — see ``features``) → ``manual_review`` with
   the problem codes (and any rule reasons): an application is never approved, or rejected, on defaults.
2. Rules ``reject`` → ``rejected`` with the rule reasons (the score is still computed and recorded).
3. Rules ``timeout`` → ``manual_review`` (``RULES_TIMEOUT``); rules ``manual_review`` (a rule matched, or failed at
   run time: ``RULE_ERROR``) → ``manual_review`` with the rule reasons.
4. No scorecard or no cut-offs on the product version → ``manual_review`` (``NO_SCORECARD``/``NO_CUTOFFS``).
5. Score < ``reject_below`` → ``rejected`` (``SCORE_BELOW_CUTOFF``); score ≥ ``auto_approve`` → ``auto_approved``;
   in between → ``manual_review`` (``SCORE_IN_REVIEW_BAND``).
6. An approval whose suggested limit is below the product's minimum goes to ``manual_review``
   (``LIMIT_BELOW_PRODUCT_MIN``).

Suggested limit and price (for ``auto_approved`` and ``manual_review``; none for ``rejected``): the score band
sets an income multiple and a position in the product's rate range —

======  ==========================================  ===============  ==========================================
band    score                                        income multiple  annual rate
======  ==========================================  ===============  ==========================================
A       ≥ auto_approve + ``BAND_A_MARGIN`` (40)      12 × income      the product's minimum rate
B       ≥ auto_approve                               10 × income      min + 40 % of (max − min)
C       below auto_approve (or no score)             6 × income       min + 75 % of (max − min)
======  ==========================================  ===============  ==========================================

limit = min(the amount applied for, the product maximum, income × multiple), rounded down to 100 yuan; rate
rounded to 0.0001 (ROUND_HALF_UP) and kept within [min, max]. A limit below the amount applied for adds the flag
``LIMIT_REDUCED``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

AUTO_APPROVED = "auto_approved"
MANUAL_REVIEW = "manual_review"
REJECTED = "rejected"
OUTCOMES = (AUTO_APPROVED, MANUAL_REVIEW, REJECTED)

# The rules engine's outcomes (``rules.engine``)
RULES_APPROVE, RULES_REVIEW, RULES_REJECT, RULES_TIMEOUT = "approve", "manual_review", "reject", "timeout"

SCORE_BELOW_CUTOFF = "SCORE_BELOW_CUTOFF"
SCORE_IN_REVIEW_BAND = "SCORE_IN_REVIEW_BAND"
RULES_TIMEOUT_CODE = "RULES_TIMEOUT"
RULE_ERROR = "RULE_ERROR"
NO_SCORECARD = "NO_SCORECARD"
NO_CUTOFFS = "NO_CUTOFFS"
LIMIT_BELOW_PRODUCT_MIN = "LIMIT_BELOW_PRODUCT_MIN"
LIMIT_REDUCED = "LIMIT_REDUCED"

BAND_A_MARGIN = 40
BANDS: dict[str, tuple[Decimal, Decimal]] = {  # band → (income multiple, share of the rate range above the minimum)
    "A": (Decimal(12), Decimal("0")),
    "B": (Decimal(10), Decimal("0.40")),
    "C": (Decimal(6), Decimal("0.75")),
}
LIMIT_STEP = Decimal(100)
RATE_STEP = Decimal("0.0001")


@dataclass(frozen=True)
class Cutoffs:
    auto_approve: int | None
    reject_below: int | None


@dataclass(frozen=True)
class Terms:
    """What the limit and price need: the amount applied for, the product's ranges, the monthly income."""

    amount: Decimal
    min_amount: Decimal
    max_amount: Decimal
    min_rate: Decimal
    max_rate: Decimal
    monthly_income: Decimal


@dataclass(frozen=True)
class RulesResult:
    outcome: str
    reasons: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    errors: bool = False


@dataclass(frozen=True)
class Result:
    outcome: str
    reasons: tuple[str, ...]
    flags: tuple[str, ...]
    band: str
    limit: Decimal | None
    rate: Decimal | None


def _unique(codes: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(codes))


def band_of(score: int | None, cutoffs: Cutoffs) -> str:
    if score is None or cutoffs.auto_approve is None or score < cutoffs.auto_approve:
        return "C"
    return "A" if score >= cutoffs.auto_approve + BAND_A_MARGIN else "B"


def offer(band: str, terms: Terms) -> tuple[Decimal, Decimal]:
    """The suggested (limit, annual rate) of a score band under ``terms``."""
    multiple, share = BANDS[band]
    cap = min(terms.amount, terms.max_amount, terms.monthly_income * multiple)
    limit = (max(cap, Decimal(0)) / LIMIT_STEP).to_integral_value(ROUND_DOWN) * LIMIT_STEP
    rate = (terms.min_rate + (terms.max_rate - terms.min_rate) * share).quantize(RATE_STEP, ROUND_HALF_UP)
    rate = min(max(rate, terms.min_rate), terms.max_rate)
    return limit.quantize(Decimal("0.01")), rate.quantize(Decimal("0.000001"))


def decide(
    rules: RulesResult, score: int | None, cutoffs: Cutoffs, terms: Terms, problems: tuple[str, ...] = ()
) -> Result:
    """The outcome, reasons, flags and offer (see the module notes for the order)."""
    flags = list(rules.flags)
    rule_reasons = list(rules.reasons)
    if rules.errors:
        rule_reasons.append(RULE_ERROR)
    if problems:
        outcome, reasons = MANUAL_REVIEW, [*problems, *rule_reasons]
    elif rules.outcome == RULES_REJECT:
        outcome, reasons = REJECTED, rule_reasons
    elif rules.outcome == RULES_TIMEOUT:
        outcome, reasons = MANUAL_REVIEW, [RULES_TIMEOUT_CODE, *rule_reasons]
    elif rules.outcome != RULES_APPROVE:
        outcome, reasons = MANUAL_REVIEW, rule_reasons
    elif score is None:
        outcome, reasons = MANUAL_REVIEW, [NO_SCORECARD]
    elif cutoffs.auto_approve is None or cutoffs.reject_below is None:
        outcome, reasons = MANUAL_REVIEW, [NO_CUTOFFS]
    elif score < cutoffs.reject_below:
        outcome, reasons = REJECTED, [SCORE_BELOW_CUTOFF]
    elif score >= cutoffs.auto_approve:
        outcome, reasons = AUTO_APPROVED, []
    else:
        outcome, reasons = MANUAL_REVIEW, [SCORE_IN_REVIEW_BAND]
    band = band_of(score, cutoffs)
    if outcome == REJECTED:
        return Result(outcome, _unique(reasons), _unique(flags), band, None, None)
    limit, rate = offer(band, terms)
    if limit < terms.min_amount:
        if outcome == AUTO_APPROVED:
            outcome = MANUAL_REVIEW
        reasons.append(LIMIT_BELOW_PRODUCT_MIN)
    if limit < terms.amount:
        flags.append(LIMIT_REDUCED)
    return Result(outcome, _unique(reasons), _unique(flags), band, limit, rate)
