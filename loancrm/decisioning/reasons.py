"""Human labels of reason codes and features, and the plain-words explanation for the customer (PIPL art. 24).

Staff see each reason code with its label (a rule's own description when the rule set has one). The customer
sees no codes, rule names or points: the outcome in one sentence and the main factors that lowered the score, each
in everyday words (``EXPLAIN``), chosen as the features that lost the most points against their best bin.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

REASON_LABELS: dict[str, Any] = {
    "SCORE_BELOW_CUTOFF": _("Score below the product's reject cut-off"),
    "SCORE_IN_REVIEW_BAND": _("Score between the cut-offs: a reviewer decides"),
    "RULES_TIMEOUT": _("The rules ran out of time"),
    "RULE_ERROR": _("A rule could not be evaluated"),
    "NO_SCORECARD": _("The product has no scorecard"),
    "NO_CUTOFFS": _("The product has no score cut-offs"),
    "NO_RULE_SET": _("The product has no rule set"),
    "LIMIT_BELOW_PRODUCT_MIN": _("The suggested limit is below the product's minimum amount"),
    "LIMIT_REDUCED": _("Suggested limit below the amount applied for"),
    "NO_CREDIT_CONSENT": _("No credit-bureau authorisation in force: external data not queried"),
    "EXTERNAL_DATA_UNAVAILABLE": _("An external data provider did not answer"),
    "NO_ID_NUMBER": _("The customer has no ID number on file"),
    "BUREAU_DATA_MISSING": _("No credit bureau data"),
    "MULTI_LENDING_DATA_MISSING": _("No multi-lending data"),
    "COURT_DATA_MISSING": _("No court records data"),
    "BLACKLIST_DATA_MISSING": _("No blacklist data"),
    "MISSING_BIRTH_DATE": _("Birth date unknown"),
    "MISSING_INCOME": _("Monthly income unknown"),
    "MISSING_REGION": _("Region code unknown"),
    "TERMS_INVALID": _("The terms applied for cannot make a repayment schedule"),
}

FEATURE_LABELS: dict[str, Any] = {
    "age": _("Age"),
    "monthly_income": _("Monthly income"),
    "debt_to_income": _("Debt-to-income ratio"),
    "employment_years": _("Years in employment"),
    "region": _("Region"),
    "education": _("Education"),
    "housing": _("Housing"),
    "inquiries_6m": _("Bureau inquiries (6 months)"),
    "multi_lending_count": _("Lenders applied to (6 months)"),
    "overdue_count": _("Accounts currently overdue"),
}

# What the customer reads for a factor that lowered the score (everyday words, no internal terms).
EXPLAIN: dict[str, Any] = {
    "age": _("Your age group has a higher repayment risk in our past experience."),
    "monthly_income": _("Your monthly income is low relative to the loan."),
    "debt_to_income": _("Your monthly repayments, including this loan, take a large share of your income."),
    "employment_years": _("You have been in employment for a short time."),
    "region": _("Loans in your region have had more repayment difficulties."),
    "education": _("Your education level is associated with a higher risk in our past experience."),
    "housing": _("Your housing situation is associated with a higher risk in our past experience."),
    "inquiries_6m": _("Your credit report has been checked many times in the last six months."),
    "multi_lending_count": _("You have applied to several lenders recently."),
    "overdue_count": _("Your credit report shows repayments that are currently overdue."),
}
GENERIC_FACTOR = _("Information in your application lowered the assessment.")

# Customer sentences for hard-rule reasons of the demo rule set; another rule's reason gets a generic sentence.
RULE_EXPLAIN: dict[str, Any] = {
    "R01_AGE": _("The applicant's age is outside the range this product accepts."),
    "R02_BLACKLIST": _("We cannot offer this product based on the results of our risk checks."),
    "R03_COURT": _("Public court enforcement records were found."),
    "M01_MULTI_LENDING": _("You have applied to several lenders recently."),
    "M02_DTI": _("Your monthly repayments, including this loan, take a large share of your income."),
}
RULE_GENERIC = _("The application does not meet this product's requirements.")
DATA_EXPLAIN: dict[str, Any] = {
    "NO_CREDIT_CONSENT": _("We could not consult your credit report because no authorisation for it is on file."),
    "EXTERNAL_DATA_UNAVAILABLE": _("Some credit information could not be obtained at the time of your application."),
}


def reason_label(code: str, rule_descriptions: Mapping[str, str] | None = None) -> str:
    """The label of ``code``: a known system code, else the description of the rule giving it, else the code."""
    if code in REASON_LABELS:
        return str(REASON_LABELS[code])
    if rule_descriptions and rule_descriptions.get(code):
        return rule_descriptions[code]
    return code


def feature_label(name: str) -> str:
    return str(FEATURE_LABELS.get(name, name))


def lowering_factors(points: Iterable[Mapping[str, Any]], best: Mapping[str, int], limit: int = 3) -> list[str]:
    """Features that lost the most points against their best bin (``best``: feature → highest points), worst first."""
    known = [p for p in points if p.get("value") is not None]  # a missing value is no fact about the customer
    lost = [(best.get(p["feature"], p["points"]) - p["points"], p["feature"]) for p in known]
    chosen = [name for gap, name in sorted(lost, key=lambda item: (-item[0], item[1])) if gap > 0][:limit]
    return [str(EXPLAIN.get(name, GENERIC_FACTOR)) for name in chosen]


def customer_explanation(
    outcome: str, reasons: Iterable[str], points: Iterable[Mapping[str, Any]], best: Mapping[str, int]
) -> dict[str, Any]:
    """``{"summary", "factors"}`` in the active language for the customer."""
    summaries = {
        "auto_approved": _("Your application passed our automated assessment."),
        "manual_review": _("Your application needs a review by our credit staff, who will contact you."),
        "rejected": _("We are unable to approve your application at this time."),
    }
    factors: list[str] = []
    for code in reasons:
        if code in DATA_EXPLAIN:
            factors.append(str(DATA_EXPLAIN[code]))
        elif code in RULE_EXPLAIN:
            factors.append(str(RULE_EXPLAIN[code]))
        elif code not in REASON_LABELS:
            factors.append(str(RULE_GENERIC))
    for sentence in lowering_factors(points, best):
        if sentence not in factors:
            factors.append(sentence)
    return {"summary": str(summaries.get(outcome, "")), "factors": list(dict.fromkeys(factors))}
