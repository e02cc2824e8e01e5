"""From an application snapshot to the rules context and the scorecard row (pure, no Django).

A snapshot is plain JSON-ready data taken when the decision is made, so the same snapshot always gives the same
context and row (a replay rebuilds both from it)::

    {"decision_date": "2026-12-01",
     "application": {"amount": "50000.00", "term_months": 12, "method": "equal_installment",
                     "annual_rate": "0.144000", "monthly_income": "12000.00", "monthly_debt": "1500.00",
                     "employment_years": "4.5", "housing": "rented", "region": "110105", "purpose": "decoration"},
     "customer": {"birth_date": "1990-06-15", "education": "bachelor", "monthly_income": "12000.00",
                  "years_employed": 4},
     "product": {"code": "CONSUMER", ...},
     "external": {"bureau": {...}, "multi_lending": {...}, "court": {...}, "blacklist": {...}}}

Money and rates are strings of exact Decimals; ``external`` holds the providers' stored responses by kind (a kind
that could not be obtained is absent).

Derivations (documented defaults; each default that stands in for missing data is reported as a problem code, and
the policy sends an application with a problem to manual review, never to an automatic approval):

- ``age``: full years on the decision date from the birth date; unknown → 0 and ``MISSING_BIRTH_DATE``.
- ``monthly_income``: the declared income, else the customer profile's; none or zero → 0 and ``MISSING_INCOME``.
- ``debt_to_income`` = (declared monthly debt + the new loan's first instalment) / monthly income, to 4 places
  (ROUND_HALF_UP). The first instalment is the first line of ``loans.schedule.build_schedule`` started on the
  decision date; for a bullet loan (one payment at maturity) the monthly equivalent: the total payment / term.
  Without an income the ratio is ``DTI_WITHOUT_INCOME`` (9.9999).
- ``employment_years``: declared, else the profile's, else 0 (the scorecard row gets "missing").
- bureau fields (inquiries, overdue accounts, longest overdue, outstanding debt) without a bureau answer → 0 and
  ``BUREAU_DATA_MISSING``; multi-lending counts → 0 and ``MULTI_LENDING_DATA_MISSING``; court records → 0 and
  ``COURT_DATA_MISSING``; blacklist → false and ``BLACKLIST_DATA_MISSING``.
- ``region``: the declared 6-digit code; an invalid one → "000000" and ``MISSING_REGION``.

Scorecard row (the demo scorecard's columns, ``scoring.synthetic.COLUMNS``): ``region`` becomes the macro region
of its province prefix (``MACRO_REGIONS``), education and housing choices their Chinese categories,
``overdue_count`` ← bureau overdue accounts, ``multi_lending_count`` ← the 6-month multi-lending count; a value
that is unknown is ``None`` so that the scorecard scores it in its missing bin.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from loancrm.core.money import quantize_money
from loancrm.loans.schedule import MAX_TERM_MONTHS, Method, ScheduleError, _level_payment, build_schedule

RATIO_PLACES = Decimal("0.0001")
DTI_WITHOUT_INCOME = Decimal("9.9999")
UNKNOWN_REGION = "000000"

# Province prefix of the GB/T 2260 code → the macro region of the scorecard (81/82: Hong Kong, Macao).
MACRO_REGIONS: dict[str, str] = {
    **dict.fromkeys(("11", "12", "13", "14", "15"), "华北"),
    **dict.fromkeys(("21", "22", "23"), "东北"),
    **dict.fromkeys(("31", "32", "33", "34", "35", "36", "37", "71"), "华东"),
    **dict.fromkeys(("41", "42", "43"), "华中"),
    **dict.fromkeys(("44", "45", "46", "81", "82"), "华南"),
    **dict.fromkeys(("50", "51", "52", "53", "54"), "西南"),
    **dict.fromkeys(("61", "62", "63", "64", "65"), "西北"),
}
EDUCATION: dict[str, str] = {
    "primary": "初中及以下",
    "junior": "初中及以下",
    "senior": "高中",
    "college": "大专",
    "bachelor": "本科",
    "master": "硕士及以上",
    "doctor": "硕士及以上",
}
HOUSING: dict[str, str] = {"owned": "自有住房", "mortgaged": "按揭", "rented": "租房", "parents": "与父母同住"}

BUREAU_FIELDS = ("inquiries_1m", "inquiries_3m", "inquiries_6m", "overdue_accounts", "max_overdue_months")
MISSING_CODES = {
    "bureau": "BUREAU_DATA_MISSING",
    "multi_lending": "MULTI_LENDING_DATA_MISSING",
    "court": "COURT_DATA_MISSING",
    "blacklist": "BLACKLIST_DATA_MISSING",
}


@dataclass(frozen=True)
class Features:
    """The rules context, the scorecard row, the exact derived values (strings) and the problem codes."""

    context: dict[str, Any]
    row: dict[str, Any]
    derived: dict[str, str]
    problems: tuple[str, ...]


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def age_on(birth: dt.date, day: dt.date) -> int:
    """Full years of a person born on ``birth`` on ``day`` (a 29 February birthday counts from 1 March)."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def first_instalment(amount: Decimal, annual_rate: Decimal, term_months: int, method: str, start: dt.date) -> Decimal:
    """The new loan's first monthly payment (a bullet loan: its total payment spread over the term).

    The same maths as line 1 of ``build_schedule`` (asserted by the tests), without building the other lines; the
    inputs are checked by the schedule itself (``ScheduleError``).
    """
    if method == Method.BULLET or term_months == 1:
        schedule = build_schedule(
            principal=amount, annual_rate=annual_rate, term_months=term_months, method=method, start_date=start
        )
        if method == Method.BULLET:
            return (schedule.total_payment / max(term_months, 1)).quantize(Decimal("0.01"), ROUND_HALF_UP)
        return schedule.lines[0].payment
    build_schedule(principal=amount, annual_rate=annual_rate, term_months=1, method=method, start_date=start)
    if not 1 <= term_months <= MAX_TERM_MONTHS:
        raise ScheduleError("term_months", f"term must be 1 to {MAX_TERM_MONTHS} months")
    rate = annual_rate / 12
    interest = quantize_money(amount * rate)
    if method == Method.EQUAL_INSTALLMENT:
        level = _level_payment(amount, rate, term_months)
        return min(max(level - interest, Decimal("0.00")), amount) + interest
    if method == Method.EQUAL_PRINCIPAL:
        return min(quantize_money(amount / term_months), amount) + interest
    return interest  # interest only: the principal is due in the last period


def macro_region(code: str) -> str | None:
    return MACRO_REGIONS.get(code[:2]) if len(code) == 6 and code.isdigit() else None


def _count(source: Mapping[str, Any], name: str) -> int:
    return int(source.get(name) or 0)


def build(snapshot: Mapping[str, Any]) -> Features:
    """The features of ``snapshot`` (see the module notes for every derivation and default)."""
    application: Mapping[str, Any] = snapshot.get("application", {})
    customer: Mapping[str, Any] = snapshot.get("customer", {})
    external: Mapping[str, Any] = snapshot.get("external", {})
    day = dt.date.fromisoformat(snapshot["decision_date"])
    problems: list[str] = []

    birth = customer.get("birth_date")
    age = age_on(dt.date.fromisoformat(birth), day) if birth else 0
    if not birth:
        problems.append("MISSING_BIRTH_DATE")

    income = _decimal(application.get("monthly_income"))
    if income is None or income <= 0:
        income = _decimal(customer.get("monthly_income"))
    if income is None or income <= 0:
        income = Decimal("0.00")
        problems.append("MISSING_INCOME")

    amount = _decimal(application.get("amount")) or Decimal("0.00")
    rate = _decimal(application.get("annual_rate")) or Decimal("0")
    term = int(application.get("term_months") or 0)
    debt = _decimal(application.get("monthly_debt")) or Decimal("0.00")
    try:
        instalment = first_instalment(amount, rate, term, str(application.get("method") or ""), day)
    except ScheduleError:
        instalment = Decimal("0.00")
        problems.append("TERMS_INVALID")
    dti = ((debt + instalment) / income).quantize(RATIO_PLACES, ROUND_HALF_UP) if income > 0 else DTI_WITHOUT_INCOME

    years = _decimal(application.get("employment_years"))
    if years is None:
        years = _decimal(customer.get("years_employed"))

    region = str(application.get("region") or "")
    if not (len(region) == 6 and region.isdigit()):
        region = UNKNOWN_REGION
        problems.append("MISSING_REGION")

    bureau = external.get("bureau")
    multi = external.get("multi_lending")
    court = external.get("court")
    blacklist = external.get("blacklist")
    for kind, code in MISSING_CODES.items():
        if external.get(kind) is None:
            problems.append(code)
    bureau = bureau or {}
    multi = multi or {}

    context: dict[str, Any] = {
        "age": age,
        "region": region,
        "monthly_income": float(income),
        "debt_to_income": float(dti),
        "employment_years": float(years) if years is not None else 0.0,
        **{name: _count(bureau, name) for name in BUREAU_FIELDS},
        "outstanding_debt": float(_decimal(bureau.get("outstanding_debt")) or 0),
        "multi_lending_count_3m": _count(multi, "count_3m"),
        "multi_lending_count_6m": _count(multi, "count_6m"),
        "court_records": (
            max(_count(court, "enforcement_count"), 1 if court.get("dishonest_debtor") else 0) if court else 0
        ),
        "blacklist_hit": bool(blacklist and (blacklist.get("internal_hit") or blacklist.get("external_hit"))),
        "product": str(snapshot.get("product", {}).get("code", "")),
        "amount": float(amount),
    }
    row: dict[str, Any] = {
        "age": age if birth else None,
        "monthly_income": float(income) if income > 0 else None,
        "debt_to_income": float(dti) if income > 0 else None,
        "employment_years": float(years) if years is not None else None,
        "region": macro_region(region),
        "education": EDUCATION.get(str(customer.get("education") or "")),
        "housing": HOUSING.get(str(application.get("housing") or "")),
        "inquiries_6m": _count(bureau, "inquiries_6m") if bureau else None,
        "multi_lending_count": _count(multi, "count_6m") if multi else None,
        "overdue_count": _count(bureau, "overdue_accounts") if bureau else None,
    }
    derived = {
        "monthly_income": str(income),
        "monthly_debt": str(debt),
        "first_instalment": str(instalment),
        "debt_to_income": str(dti),
        "amount": str(amount),
        "annual_rate": str(rate),
    }
    return Features(context=context, row=row, derived=derived, problems=tuple(problems))
