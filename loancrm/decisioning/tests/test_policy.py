"""policy.decide: the order of rules, cut-offs and data problems; the suggested limit and price by score band."""

from __future__ import annotations

from decimal import Decimal

import pytest

from loancrm.decisioning import policy
from loancrm.decisioning.policy import Cutoffs, RulesResult, Terms

D = Decimal
CUTOFFS = Cutoffs(auto_approve=660, reject_below=560)
TERMS = Terms(amount=D("80000.00"), min_amount=D("5000.00"), max_amount=D("200000.00"), min_rate=D("0.08"),
              max_rate=D("0.24"), monthly_income=D("12000.00"))  # fmt: skip
PASS = RulesResult("approve")


@pytest.mark.parametrize(
    ("rules", "score", "cutoffs", "problems", "outcome", "reasons"),
    [
        (PASS, 700, CUTOFFS, (), "auto_approved", ()),
        (PASS, 660, CUTOFFS, (), "auto_approved", ()),
        (PASS, 659, CUTOFFS, (), "manual_review", ("SCORE_IN_REVIEW_BAND",)),
        (PASS, 560, CUTOFFS, (), "manual_review", ("SCORE_IN_REVIEW_BAND",)),
        (PASS, 559, CUTOFFS, (), "rejected", ("SCORE_BELOW_CUTOFF",)),
        (RulesResult("reject", ("R03_COURT",)), 720, CUTOFFS, (), "rejected", ("R03_COURT",)),
        (RulesResult("manual_review", ("M02_DTI",)), 720, CUTOFFS, (), "manual_review", ("M02_DTI",)),
        (RulesResult("manual_review", ("X1",), errors=True), 720, CUTOFFS, (), "manual_review", ("X1", "RULE_ERROR")),
        (RulesResult("timeout"), 720, CUTOFFS, (), "manual_review", ("RULES_TIMEOUT",)),
        (PASS, None, CUTOFFS, (), "manual_review", ("NO_SCORECARD",)),
        (PASS, 700, Cutoffs(None, None), (), "manual_review", ("NO_CUTOFFS",)),
        (PASS, 720, CUTOFFS, ("NO_CREDIT_CONSENT",), "manual_review", ("NO_CREDIT_CONSENT",)),
        (RulesResult("reject", ("R01_AGE",)), 720, CUTOFFS, ("EXTERNAL_DATA_UNAVAILABLE",), "manual_review",
         ("EXTERNAL_DATA_UNAVAILABLE", "R01_AGE")),
    ],
)  # fmt: skip
def test_outcome_and_reasons_follow_the_documented_order(rules, score, cutoffs, problems, outcome, reasons):
    result = policy.decide(rules, score, cutoffs, TERMS, problems)
    assert (result.outcome, result.reasons) == (outcome, reasons)


def test_rule_flags_are_kept_whatever_the_outcome():
    result = policy.decide(RulesResult("approve", flags=("F01_OVERDUE",)), 700, CUTOFFS, TERMS)
    assert result.flags == ("F01_OVERDUE",)


@pytest.mark.parametrize(
    ("score", "band", "limit", "rate"),
    [
        (700, "A", "80000.00", "0.080000"),  # 12 × 12,000 = 144,000 > 80,000 applied for
        (699, "B", "80000.00", "0.144000"),  # 10 × 12,000 = 120,000; 0.08 + 0.4 × 0.16
        (660, "B", "80000.00", "0.144000"),
        (600, "C", "72000.00", "0.200000"),  # 6 × 12,000 = 72,000; 0.08 + 0.75 × 0.16
    ],
)
def test_the_offer_depends_on_the_score_band(score, band, limit, rate):
    result = policy.decide(PASS, score, CUTOFFS, TERMS)
    assert (result.band, result.limit, result.rate) == (band, D(limit), D(rate))


def test_the_limit_is_capped_by_the_product_maximum_and_rounded_down_to_100():
    terms = Terms(amount=D("500000.00"), min_amount=D("5000.00"), max_amount=D("200000.00"), min_rate=D("0.08"),
                  max_rate=D("0.24"), monthly_income=D("30000.00"))  # fmt: skip
    assert policy.decide(PASS, 720, CUTOFFS, terms).limit == D("200000.00")
    odd = Terms(**{**terms.__dict__, "monthly_income": D("12345.67")})
    assert policy.offer("C", odd)[0] == D("74000.00")  # 6 × 12,345.67 = 74,074.02 → 74,000


def test_a_reduced_limit_is_flagged_and_one_below_the_product_minimum_goes_to_review():
    low = Terms(**{**TERMS.__dict__, "monthly_income": D("800.00")})
    result = policy.decide(PASS, 720, CUTOFFS, low)
    assert result.limit == D("9600.00") and "LIMIT_REDUCED" in result.flags and result.outcome == "auto_approved"
    tiny = Terms(**{**TERMS.__dict__, "monthly_income": D("400.00")})
    result = policy.decide(PASS, 720, CUTOFFS, tiny)
    assert (result.outcome, result.reasons, result.limit) == (
        "manual_review",
        ("LIMIT_BELOW_PRODUCT_MIN",),
        D("4800.00"),
    )


def test_a_rejection_has_no_offer():
    result = policy.decide(PASS, 500, CUTOFFS, TERMS)
    assert (result.limit, result.rate) == (None, None)
