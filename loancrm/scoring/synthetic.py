"""Synthetic historical applications with a known risk model (for the demo scorecard and the tests).

Each row is a past application with its outcome ``bad`` ("1" defaulted, "0" repaid), drawn from
P(bad) = 1 / (1 + exp(−log_odds(row))) with ``log_odds`` below, so a trained scorecard can be checked against the
truth: ``true_log_odds`` ranks the rows as well as anything can. The same seed gives the same rows. About 3 % of
employment years and 2 % of education values are left empty (missing), as in real files.
"""

from __future__ import annotations

import math
import random

REGIONS = {"华东": -0.3, "华南": -0.1, "华北": 0.0, "华中": 0.2, "西南": 0.3, "西北": 0.4, "东北": 0.5}
EDUCATION = {"硕士及以上": -0.6, "本科": -0.3, "大专": 0.0, "高中": 0.3, "初中及以下": 0.6}
HOUSING = {"自有住房": -0.4, "按揭": -0.1, "租房": 0.3, "与父母同住": 0.2}
COLUMNS = (
    "age", "monthly_income", "debt_to_income", "employment_years", "region", "education", "housing",
    "inquiries_6m", "multi_lending_count", "overdue_count", "bad",
)  # fmt: skip


def true_log_odds(
    *,
    age: int,
    monthly_income: float,
    debt_to_income: float,
    employment_years: float | None,
    region: str,
    education: str | None,
    housing: str,
    inquiries_6m: int,
    multi_lending_count: int,
    overdue_count: int,
) -> float:
    """The log odds of bad that generated the outcome."""
    value = -2.2
    value += 0.04 * max(0, 30 - age) + 0.03 * max(0, age - 50)
    value += -0.7 * math.log(monthly_income / 8000)
    value += 2.0 * (debt_to_income - 0.35)
    value += 0.35 if employment_years is None else -0.08 * min(employment_years, 10)
    value += REGIONS[region] + (0.2 if education is None else EDUCATION[education]) + HOUSING[housing]
    value += 0.18 * inquiries_6m + 0.3 * multi_lending_count + 0.55 * overdue_count
    return value


def generate(n: int, *, seed: int = 7) -> list[dict[str, str]]:
    """``n`` rows of strings keyed by ``COLUMNS`` (empty string = missing)."""
    rng = random.Random(seed)  # noqa: S311 (synthetic data, reproducible)
    rows: list[dict[str, str]] = []
    for _ in range(n):
        age = rng.randint(20, 62)
        income = round(min(80_000.0, max(2_000.0, rng.lognormvariate(math.log(7_500), 0.55))), -1)
        dti = round(min(1.5, max(0.0, rng.gauss(0.35, 0.18))), 3)
        employment = None if rng.random() < 0.03 else round(min(age - 18, rng.expovariate(1 / 5)), 1)
        region = rng.choice(list(REGIONS))
        education = None if rng.random() < 0.02 else rng.choices(list(EDUCATION), weights=[1, 4, 4, 3, 1])[0]
        housing = rng.choices(list(HOUSING), weights=[3, 3, 4, 2])[0]
        inquiries = min(12, int(rng.expovariate(1 / 1.6)))
        multi = min(8, int(rng.expovariate(1 / 0.8)))
        overdue = min(6, int(rng.expovariate(1 / 0.5)))
        log_odds = true_log_odds(
            age=age,
            monthly_income=income,
            debt_to_income=dti,
            employment_years=employment,
            region=region,
            education=education,
            housing=housing,
            inquiries_6m=inquiries,
            multi_lending_count=multi,
            overdue_count=overdue,
        )
        bad = rng.random() < 1 / (1 + math.exp(-log_odds))
        values = (age, income, dti, employment, region, education, housing, inquiries, multi, overdue, int(bad))
        rows.append(
            {
                c: "" if v is None else f"{v:g}" if isinstance(v, float) else str(v)
                for c, v in zip(COLUMNS, values, strict=True)
            }
        )
    return rows
