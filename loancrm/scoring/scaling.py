"""Scaling log-odds to points: ``base_points`` at good:bad odds ``odds``, ``pdo`` points to double the odds.

score = offset − factor × ln(odds of bad), factor = pdo / ln 2, offset = base_points − factor × ln(odds).
With ln(odds of bad) = intercept + Σ βᵢ·WOEᵢ this splits into a base score, offset − factor × intercept, plus per
feature bin points −factor × βᵢ × WOEᵢⱼ. Both are rounded to whole points, so a row's score is exactly
base score + Σ feature points.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

DEFAULT_BASE_POINTS = 600.0
DEFAULT_ODDS = 50.0
DEFAULT_PDO = 20.0


@dataclass(frozen=True)
class Scaling:
    base_points: float = DEFAULT_BASE_POINTS
    odds: float = DEFAULT_ODDS
    pdo: float = DEFAULT_PDO

    @property
    def factor(self) -> float:
        return self.pdo / math.log(2)

    @property
    def offset(self) -> float:
        return self.base_points - self.factor * math.log(self.odds)

    def base_score(self, intercept: float) -> int:
        return round(self.offset - self.factor * intercept)

    def points(self, coefficient: float, woe: float) -> int:
        return round(-self.factor * coefficient * woe)
