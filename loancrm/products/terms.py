"""Product terms checks (pure: no Django): is a version's set of terms coherent, does an application fit it.

Each problem is a ``(field, code)`` pair with a stable code; the services turn codes into messages. ``terms`` is
any object with the ``ProductVersion`` term attributes (the model, or a plain namespace in tests).

Fees are a list of ``{"name", "kind", "amount" | "rate"}``: kind ``one_off`` (charged once, at disbursement) or
``periodic`` (every instalment); exactly one of ``amount`` (CNY, on the fen) or ``rate`` (a fraction of the
principal, below 1), given as a decimal string. The document checklist is a list of ``{"type", "required"}`` with
each type at most once.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from loancrm.loans.allocation import parse_order
from loancrm.loans.schedule import Method

__all__ = ["DOCUMENT_TYPES", "FEE_KINDS", "Problem", "check_application_terms", "validate_terms"]

Problem = tuple[str, str]

FEE_KINDS = ("one_off", "periodic")
DOCUMENT_TYPES = (
    "id_front",
    "id_back",
    "bank_card",
    "credit_report",
    "income_proof",
    "social_security",
    "provident_fund",
)
DAY_COUNTS = (360, 365)
METHODS = frozenset(method.value for method in Method)
ONE = Decimal(1)
FEN = Decimal("0.01")


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _fee_ok(fee: Any) -> bool:
    if not isinstance(fee, dict) or set(fee) - {"name", "kind", "amount", "rate"}:
        return False
    if not isinstance(fee.get("name"), str) or not fee["name"].strip() or fee.get("kind") not in FEE_KINDS:
        return False
    if ("amount" in fee) == ("rate" in fee):
        return False
    if "amount" in fee:
        amount = _decimal(fee["amount"])
        return amount is not None and amount >= 0 and amount == amount.quantize(FEN)
    rate = _decimal(fee["rate"])
    return rate is not None and 0 <= rate < ONE


def _documents_ok(documents: Any) -> bool:
    if not isinstance(documents, list):
        return False
    seen: set[str] = set()
    for item in documents:
        if not isinstance(item, dict) or set(item) != {"type", "required"} or not isinstance(item["required"], bool):
            return False
        if item["type"] not in DOCUMENT_TYPES or item["type"] in seen:
            return False
        seen.add(item["type"])
    return True


def validate_terms(terms: Any) -> list[Problem]:
    """Every problem of a version's terms, in field order; empty when it can be published."""
    problems: list[Problem] = []
    if terms.min_amount <= 0:
        problems.append(("min_amount", "not_positive"))
    if terms.max_amount < terms.min_amount:
        problems.append(("max_amount", "below_min"))
    if terms.min_term_months <= 0:
        problems.append(("min_term_months", "not_positive"))
    if terms.max_term_months < terms.min_term_months:
        problems.append(("max_term_months", "below_min"))
    methods = terms.methods
    if not isinstance(methods, list) or not methods:
        problems.append(("methods", "empty"))
    elif any(m not in METHODS for m in methods) or len(set(methods)) != len(methods):
        problems.append(("methods", "invalid"))
    if terms.min_rate < 0 or terms.max_rate >= ONE:
        problems.append(("min_rate", "out_of_bounds"))
    if terms.max_rate < terms.min_rate:
        problems.append(("max_rate", "below_min"))
    elif not terms.min_rate <= terms.default_rate <= terms.max_rate:
        problems.append(("default_rate", "outside_range"))
    if not isinstance(terms.fees, list) or not all(_fee_ok(fee) for fee in terms.fees):
        problems.append(("fees", "invalid"))
    if terms.penalty_multiplier < ONE:
        problems.append(("penalty_multiplier", "below_one"))
    if terms.day_count not in DAY_COUNTS:
        problems.append(("day_count", "invalid"))
    try:
        parse_order(terms.allocation_order)
    except ValueError:
        problems.append(("allocation_order", "invalid"))
    if not _documents_ok(terms.documents):
        problems.append(("documents", "invalid"))
    approve, reject = terms.auto_approve_score, terms.reject_below_score
    if (approve is None) != (reject is None):
        problems.append(("reject_below_score", "cutoffs_incomplete"))
    elif approve is not None and reject is not None and approve < reject:
        problems.append(("auto_approve_score", "below_reject"))
    return problems


def check_application_terms(
    terms: Any, *, amount: Decimal, term_months: int, method: str, rate: Decimal
) -> list[Problem]:
    """What of an application falls outside the version it is made under: ranges and the method."""
    problems: list[Problem] = []
    if amount < terms.min_amount:
        problems.append(("amount", "below_min"))
    elif amount > terms.max_amount:
        problems.append(("amount", "above_max"))
    if term_months < terms.min_term_months:
        problems.append(("term_months", "below_min"))
    elif term_months > terms.max_term_months:
        problems.append(("term_months", "above_max"))
    if method not in terms.methods:
        problems.append(("method", "not_allowed"))
    if rate < terms.min_rate:
        problems.append(("rate", "below_min"))
    elif rate > terms.max_rate:
        problems.append(("rate", "above_max"))
    return problems
