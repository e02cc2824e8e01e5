"""Pure terms checks, table-driven, no database."""

from decimal import Decimal
from types import SimpleNamespace

import pytest

from loancrm.products.terms import check_application_terms, validate_terms

D = Decimal


def terms(**changes):
    base = {
        "min_amount": D("1000.00"),
        "max_amount": D("200000.00"),
        "min_term_months": 3,
        "max_term_months": 36,
        "methods": ["equal_installment", "equal_principal"],
        "min_rate": D("0.072000"),
        "max_rate": D("0.240000"),
        "default_rate": D("0.144000"),
        "fees": [
            {"name": "服务费", "kind": "one_off", "amount": "100.00"},
            {"name": "管理费", "kind": "periodic", "rate": "0.001"},
        ],
        "penalty_multiplier": D("1.50"),
        "day_count": 360,
        "allocation_order": "fee,penalty,interest,principal",
        "documents": [{"type": "id_front", "required": True}, {"type": "income_proof", "required": False}],
        "auto_approve_score": 660,
        "reject_below_score": 560,
    }
    return SimpleNamespace(**(base | changes))


def test_coherent_terms_have_no_problem():
    assert validate_terms(terms()) == []
    assert validate_terms(terms(auto_approve_score=None, reject_below_score=None, fees=[], documents=[])) == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"min_amount": D("0")}, [("min_amount", "not_positive")]),
        ({"max_amount": D("999.99")}, [("max_amount", "below_min")]),
        ({"min_term_months": 0}, [("min_term_months", "not_positive")]),
        ({"max_term_months": 2}, [("max_term_months", "below_min")]),
        ({"methods": []}, [("methods", "empty")]),
        ({"methods": ["balloon"]}, [("methods", "invalid")]),
        ({"methods": ["bullet", "bullet"]}, [("methods", "invalid")]),
        ({"max_rate": D("0.060000")}, [("max_rate", "below_min")]),
        ({"max_rate": D("1.000000"), "default_rate": D("0.5")}, [("min_rate", "out_of_bounds")]),
        ({"default_rate": D("0.250000")}, [("default_rate", "outside_range")]),
        ({"default_rate": D("0.071999")}, [("default_rate", "outside_range")]),
        ({"fees": [{"name": "x", "kind": "monthly", "amount": "1.00"}]}, [("fees", "invalid")]),
        ({"fees": [{"name": "x", "kind": "one_off", "amount": "1.00", "rate": "0.01"}]}, [("fees", "invalid")]),
        ({"fees": [{"name": "x", "kind": "one_off"}]}, [("fees", "invalid")]),
        ({"fees": [{"name": "x", "kind": "one_off", "amount": "1.005"}]}, [("fees", "invalid")]),
        ({"fees": [{"name": "x", "kind": "one_off", "amount": 1.5}]}, [("fees", "invalid")]),
        ({"fees": [{"name": " ", "kind": "one_off", "amount": "1.00"}]}, [("fees", "invalid")]),
        ({"fees": [{"name": "x", "kind": "periodic", "rate": "1"}]}, [("fees", "invalid")]),
        ({"penalty_multiplier": D("0.99")}, [("penalty_multiplier", "below_one")]),
        ({"day_count": 366}, [("day_count", "invalid")]),
        ({"allocation_order": "fee,penalty,interest"}, [("allocation_order", "invalid")]),
        ({"allocation_order": "fee,fee,interest,principal"}, [("allocation_order", "invalid")]),
        ({"documents": [{"type": "passport", "required": True}]}, [("documents", "invalid")]),
        ({"documents": [{"type": "id_front", "required": "yes"}]}, [("documents", "invalid")]),
        ({"documents": [{"type": "id_front", "required": True}] * 2}, [("documents", "invalid")]),
        ({"reject_below_score": None}, [("reject_below_score", "cutoffs_incomplete")]),
        ({"auto_approve_score": 559}, [("auto_approve_score", "below_reject")]),
    ],
)
def test_each_incoherence_is_named(changes, expected):
    assert validate_terms(terms(**changes)) == expected


def test_equal_cutoffs_and_equal_bounds_are_allowed():
    same = terms(auto_approve_score=600, reject_below_score=600, max_amount=D("1000.00"), max_term_months=3)
    assert validate_terms(same) == []


@pytest.mark.parametrize(
    ("amount", "months", "method", "rate", "expected"),
    [
        (D("1000.00"), 3, "equal_installment", D("0.072"), []),
        (D("200000.00"), 36, "equal_principal", D("0.24"), []),
        (D("999.99"), 2, "bullet", D("0.071999"), [
            ("amount", "below_min"), ("term_months", "below_min"), ("method", "not_allowed"), ("rate", "below_min"),
        ]),
        (D("200000.01"), 37, "interest_only", D("0.240001"), [
            ("amount", "above_max"), ("term_months", "above_max"), ("method", "not_allowed"), ("rate", "above_max"),
        ]),
    ],
)  # fmt: skip
def test_application_fits_the_version(amount, months, method, rate, expected):
    problems = check_application_terms(terms(), amount=amount, term_months=months, method=method, rate=rate)
    assert problems == expected
