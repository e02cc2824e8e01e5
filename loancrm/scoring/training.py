"""From rows to a scorecard, without a database: target labels, feature types, binning, selection, fit, points.

A ``Card`` scores a row as ``base_score + Σ points of the row's bin in each feature`` (``Card.score``), and every
raw value maps to exactly one bin of its feature. Features enter the fit when their IV reaches ``min_iv``; the fit
is repeated without any feature whose coefficient has the wrong sign (a higher WOE must never mean more risk), so
every feature's points rise with its WOE. Bad input raises ``DataError`` with a stable code and parameters.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from loancrm.scoring import metrics
from loancrm.scoring.binning import Binning, BinningOptions, Kind, bin_categorical, bin_numeric, parse_number
from loancrm.scoring.logistic import fit_logistic
from loancrm.scoring.scaling import Scaling

DEFAULT_BAD_VALUES = ("1", "bad", "yes", "true", "y", "default")
MIN_ROWS_PER_CLASS = 5
MIN_IV = 0.02
DEFAULT_SCALING = Scaling()
DEFAULT_OPTIONS = BinningOptions()

Row = Mapping[str, Any]


class DataError(ValueError):
    """Input that cannot be trained or evaluated on; ``code`` is stable, ``params`` fill the message."""

    def __init__(self, code: str, **params: Any):
        self.code = code
        self.params = params
        super().__init__(f"{code}: {params}")


@dataclass
class Labels:
    values: list[int]
    rows: list[Row]
    bad_value: str
    good_value: str


def resolve_labels(rows: Sequence[Row], target: str, bad_value: str | None) -> Labels:
    """1 for bad, 0 for good; rows with an empty target are left out."""
    if not rows:
        raise DataError("empty")
    if target not in rows[0]:
        raise DataError("no_target", column=target)
    kept = [r for r in rows if str(r.get(target) or "").strip()]
    distinct = sorted({str(r[target]).strip() for r in kept})
    if len(distinct) != 2:
        raise DataError("not_binary", column=target, count=len(distinct))
    if bad_value is None:
        preferred = [v for v in distinct if v.lower() in DEFAULT_BAD_VALUES]
        if len(preferred) != 1:
            raise DataError("bad_value_needed", values=", ".join(distinct))
        bad_value = preferred[0]
    elif bad_value.strip() not in distinct:
        raise DataError("bad_value_unknown", value=bad_value, values=", ".join(distinct))
    bad_value = bad_value.strip()
    good_value = next(v for v in distinct if v != bad_value)
    return Labels(
        values=[int(str(r[target]).strip() == bad_value) for r in kept],
        rows=kept,
        bad_value=bad_value,
        good_value=good_value,
    )


def detect_kinds(rows: Sequence[Row], columns: Iterable[str]) -> dict[str, Kind]:
    """numeric when every non-empty value parses as a number; columns with no value at all are left out."""
    kinds: dict[str, Kind] = {}
    for column in columns:
        present = [v for v in (r.get(column) for r in rows) if v is not None and str(v).strip()]
        if present:
            kinds[column] = "numeric" if all(parse_number(v) is not None for v in present) else "categorical"
    return kinds


def stratified_split(labels: Sequence[int], *, share: float = 0.7, seed: int = 0) -> tuple[list[int], list[int]]:
    """Row indices (train, holdout): ``share`` of each class, shuffled by a seeded generator, each list sorted."""
    generator = random.Random(seed)  # noqa: S311 (a reproducible split, not a secret)
    train: list[int] = []
    holdout: list[int] = []
    for cls in (0, 1):
        members = [i for i, y in enumerate(labels) if y == cls]
        generator.shuffle(members)
        cut = round(share * len(members))
        train += members[:cut]
        holdout += members[cut:]
    return sorted(train), sorted(holdout)


@dataclass
class CardFeature:
    binning: Binning
    coefficient: float


@dataclass
class Card:
    """A fitted scorecard: ``score(row) = base_score + Σ feature points``."""

    features: list[CardFeature]
    intercept: float
    scaling: Scaling
    base_score: int
    ivs: dict[str, float] = field(default_factory=dict)

    def score(self, row: Row) -> tuple[int, list[tuple[str, Any, str, int]]]:
        """The score and, per feature, (feature, raw value, bin label, points)."""
        explanation = []
        for feature in self.features:
            name = feature.binning.feature
            value = row.get(name)
            chosen = feature.binning.bin_for(value)
            explanation.append((name, value, chosen.label, chosen.points))
        return self.base_score + sum(points for *_, points in explanation), explanation

    def evaluate(self, rows: Sequence[Row], labels: Sequence[int]) -> dict[str, float | int]:
        return metrics.summary(labels, [-self.score(r)[0] for r in rows])


def fit_card(
    rows: Sequence[Row],
    labels: Sequence[int],
    kinds: Mapping[str, Kind],
    *,
    scaling: Scaling = DEFAULT_SCALING,
    options: BinningOptions = DEFAULT_OPTIONS,
    l2: float = 1.0,
    min_iv: float = MIN_IV,
) -> Card:
    counts = (len(labels) - sum(labels), sum(labels))
    if min(counts) < MIN_ROWS_PER_CLASS:
        raise DataError("too_few", count=MIN_ROWS_PER_CLASS)
    binnings: list[Binning] = []
    for name, kind in kinds.items():
        column = [r.get(name) for r in rows]
        binner = bin_numeric if kind == "numeric" else bin_categorical
        binnings.append(binner(name, column, labels, options))
    ivs = {b.feature: round(b.iv, 4) for b in binnings}
    chosen = [b for b in binnings if b.iv >= min_iv and sum(1 for x in b.bins if x.count) > 1]
    while chosen:
        x = [[b.bin_for(r.get(b.feature)).woe for b in chosen] for r in rows]
        fit = fit_logistic(x, labels, l2=l2)
        wrong = [b for b, c in zip(chosen, fit.coefficients, strict=True) if c >= 0]
        if not wrong:
            break
        chosen = [b for b in chosen if b not in wrong]
    if not chosen:
        raise DataError("no_feature")
    features = [CardFeature(binning=b, coefficient=c) for b, c in zip(chosen, fit.coefficients, strict=True)]
    for feature in features:
        for one in feature.binning.bins:
            one.points = scaling.points(feature.coefficient, one.woe)
    return Card(
        features=features,
        intercept=fit.intercept,
        scaling=scaling,
        base_score=scaling.base_score(fit.intercept),
        ivs=ivs,
    )
