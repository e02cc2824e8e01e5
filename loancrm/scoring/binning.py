"""Binning of one feature against a good/bad target.

Numeric: quantile pre-bins, then adjacent bins merged until each holds at least ``min_share`` of the rows, their
WOE is monotonic (the direction follows the data) and there are at most ``max_bins``; monotonic only where it
helps: when the best non-monotonic merge to ``max_bins`` has an IV more than ``monotonic_gain`` above the monotonic
one (a U-shaped risk such as age), that one is kept. Categorical: categories
seen in fewer than ``min_share`` of the rows are pooled into one rare group, groups are ordered by bad rate and
adjacent ones merged the same way. Every feature also has a separate missing bin, last.

Invariants: every value maps to exactly one bin (``Binning.index``): numeric ranges are ``[lower, upper)`` with
an open first lower and last upper edge, so they tile the real line; a missing value, an unparseable number or
an unseen category goes to the missing bin. When the missing bin held fewer than ``min_share`` of the training
rows its WOE is that of the riskiest other bin (the most conservative choice), otherwise its own.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from loancrm.scoring.woe import information_value, woe_values

Kind = Literal["numeric", "categorical"]
MISSING_LABEL = "missing"


@dataclass
class Bin:
    label: str
    lower: float | None = None
    upper: float | None = None
    categories: list[str] = field(default_factory=list)
    missing: bool = False
    count: int = 0
    bads: int = 0
    woe: float = 0.0
    points: int = 0

    @property
    def bad_rate(self) -> float:
        return self.bads / self.count if self.count else 0.0

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"label": self.label, "missing": self.missing}
        if not self.missing:
            if self.categories:
                data["categories"] = self.categories
            else:
                data["lower"], data["upper"] = self.lower, self.upper
        data.update(
            count=self.count,
            bads=self.bads,
            bad_rate=round(self.bad_rate, 4),
            woe=round(self.woe, 6),
            points=self.points,
        )
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Bin:
        return cls(
            label=data["label"],
            lower=data.get("lower"),
            upper=data.get("upper"),
            categories=list(data.get("categories", [])),
            missing=bool(data.get("missing")),
            count=int(data.get("count", 0)),
            bads=int(data.get("bads", 0)),
            woe=float(data.get("woe", 0.0)),
            points=int(data.get("points", 0)),
        )


@dataclass
class Binning:
    """The bins of one feature; the missing bin is last."""

    feature: str
    kind: Kind
    bins: list[Bin]
    iv: float = 0.0

    def index(self, value: Any) -> int:
        """The one bin of ``value`` (a raw value: str, number or None)."""
        missing_index = len(self.bins) - 1
        if self.kind == "numeric":
            number = parse_number(value)
            if number is None:
                return missing_index
            uppers = [b.upper for b in self.bins[:-2] if b.upper is not None]
            return bisect.bisect_right(uppers, number)
        text = clean_category(value)
        for position, candidate in enumerate(self.bins[:-1]):
            if text in candidate.categories:
                return position
        return missing_index

    def bin_for(self, value: Any) -> Bin:
        return self.bins[self.index(value)]


def parse_number(value: Any) -> float | None:
    """A finite float, or None for an empty, non-numeric or infinite value."""
    if value is None:
        return None
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        text = str(value).strip().replace(",", "")
        if not text:
            return None
        try:
            number = float(text)
        except ValueError:
            return None
    return number if math.isfinite(number) else None


def clean_category(value: Any) -> str | None:
    text = "" if value is None else str(value).strip()
    return text or None


@dataclass
class _Group:
    """Training-time bin: rows from ``lower`` (numeric) or a set of categories."""

    goods: int
    bads: int
    lower: float | None = None
    categories: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return self.goods + self.bads

    @property
    def rate(self) -> float:
        return (self.bads + 0.5) / (self.count + 1)

    def absorb(self, other: _Group) -> None:
        self.goods += other.goods
        self.bads += other.bads
        self.categories += other.categories
        if other.lower is not None and (self.lower is None or other.lower < self.lower):
            self.lower = other.lower


def _merge(groups: list[_Group], i: int) -> None:
    """Merge group ``i + 1`` into group ``i``."""
    groups[i].absorb(groups.pop(i + 1))


def _merge_small(groups: list[_Group], min_count: int) -> None:
    while len(groups) > 1:
        smallest = min(range(len(groups)), key=lambda k: groups[k].count)
        if groups[smallest].count >= min_count:
            return
        if smallest == 0:
            _merge(groups, 0)
        elif smallest == len(groups) - 1:
            _merge(groups, smallest - 1)
        else:
            here = groups[smallest].rate
            left = abs(groups[smallest - 1].rate - here)
            right = abs(groups[smallest + 1].rate - here)
            _merge(groups, smallest - 1 if left <= right else smallest)


def _direction(groups: list[_Group]) -> int:
    """+1 when the bad rate rises along the groups, −1 when it falls (count-weighted covariance)."""
    total = sum(g.count for g in groups)
    mean_position = sum(k * g.count for k, g in enumerate(groups)) / total
    mean_rate = sum(g.rate * g.count for g in groups) / total
    covariance = sum(g.count * (k - mean_position) * (g.rate - mean_rate) for k, g in enumerate(groups))
    return 1 if covariance >= 0 else -1


def _make_monotonic(groups: list[_Group]) -> None:
    sign = _direction(groups)
    merged = True
    while merged and len(groups) > 1:
        merged = False
        for k in range(len(groups) - 1):
            if sign * (groups[k + 1].rate - groups[k].rate) <= 0:
                _merge(groups, k)
                merged = True
                break


def _merge_to(groups: list[_Group], max_bins: int, min_z: float) -> None:
    """Merge the most similar adjacent pair while there are too many groups or a pair is not distinct.

    Similarity is the z statistic of the difference of the two bad rates; a pair below ``min_z`` is merged.
    """
    while len(groups) > 1:
        scores = [_z(groups[k], groups[k + 1]) for k in range(len(groups) - 1)]
        closest = min(range(len(scores)), key=lambda k: scores[k])
        if len(groups) <= max_bins and scores[closest] >= min_z:
            return
        _merge(groups, closest)


def _iv(groups: list[_Group]) -> float:
    return information_value([g.goods for g in groups], [g.bads for g in groups])


def _z(a: _Group, b: _Group) -> float:
    pooled = (a.bads + b.bads + 0.5) / (a.count + b.count + 1)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / max(a.count, 1) + 1 / max(b.count, 1)))
    return abs(a.rate - b.rate) / spread if spread else 0.0


@dataclass(frozen=True)
class BinningOptions:
    min_share: float = 0.03
    max_bins: int = 6
    pre_bins: int = 20
    min_z: float = 0.0
    monotonic_gain: float = 1.0


def bin_numeric(
    feature: str, values: Sequence[Any], labels: Sequence[int], options: BinningOptions = BinningOptions()
) -> Binning:
    numbers = [parse_number(v) for v in values]
    present = sorted((x, y) for x, y in zip(numbers, labels, strict=True) if x is not None)
    min_count = max(1, math.ceil(options.min_share * len(values)))
    groups: list[_Group] = []
    if present:
        xs = [x for x, _ in present]
        cuts = sorted({xs[(k * len(xs)) // options.pre_bins] for k in range(1, options.pre_bins)} - {xs[0]})
        edges = [xs[0], *cuts]
        for position, lower in enumerate(edges):
            start = bisect.bisect_left(xs, lower)
            end = bisect.bisect_left(xs, edges[position + 1]) if position + 1 < len(edges) else len(xs)
            bads = sum(y for _, y in present[start:end])
            groups.append(_Group(goods=end - start - bads, bads=bads, lower=lower))
        _merge_small(groups, min_count)
        free = [_Group(g.goods, g.bads, g.lower) for g in groups]
        _make_monotonic(groups)
        _merge_to(groups, options.max_bins, options.min_z)
        _merge_to(free, options.max_bins, options.min_z)
        if _iv(free) > (1 + options.monotonic_gain) * _iv(groups):
            groups = free
    bins: list[Bin] = []
    for position, group in enumerate(groups):
        low = None if position == 0 else group.lower
        high = groups[position + 1].lower if position + 1 < len(groups) else None
        bins.append(Bin(label=_range_label(low, high), lower=low, upper=high, count=group.count, bads=group.bads))
    if not bins:
        bins.append(Bin(label=_range_label(None, None)))
    missing = [y for x, y in zip(numbers, labels, strict=True) if x is None]
    bins.append(Bin(label=MISSING_LABEL, missing=True, count=len(missing), bads=sum(missing)))
    return _finish(Binning(feature=feature, kind="numeric", bins=bins), min_count)


def bin_categorical(
    feature: str, values: Sequence[Any], labels: Sequence[int], options: BinningOptions = BinningOptions()
) -> Binning:
    min_count = max(1, math.ceil(options.min_share * len(values)))
    tallies: dict[str, list[int]] = {}
    missing_count = missing_bads = 0
    for value, y in zip(values, labels, strict=True):
        text = clean_category(value)
        if text is None:
            missing_count += 1
            missing_bads += y
            continue
        tally = tallies.setdefault(text, [0, 0])
        tally[y] += 1
    groups = [_Group(goods=g, bads=b, categories=[c]) for c, (g, b) in tallies.items() if g + b >= min_count]
    rare = [_Group(goods=g, bads=b, categories=[c]) for c, (g, b) in tallies.items() if g + b < min_count]
    if rare:
        pooled = rare[0]
        for other in rare[1:]:
            pooled.absorb(other)
        groups.append(pooled)
    groups.sort(key=lambda g: (g.rate, sorted(g.categories)))
    _merge_small(groups, min_count)
    _merge_to(groups, options.max_bins, options.min_z)
    bins = [
        Bin(label=_categories_label(sorted(g.categories)), categories=sorted(g.categories), count=g.count, bads=g.bads)
        for g in groups
    ]
    bins.append(Bin(label=MISSING_LABEL, missing=True, count=missing_count, bads=missing_bads))
    return _finish(Binning(feature=feature, kind="categorical", bins=bins), min_count)


def _finish(binning: Binning, min_count: int) -> Binning:
    """WOE and IV over the bins that hold rows; the missing bin's WOE follows the module rule."""
    filled = [b for b in binning.bins if b.count]
    woes = woe_values([b.count - b.bads for b in filled], [b.bads for b in filled])
    for b, w in zip(filled, woes, strict=True):
        b.woe = w
    binning.iv = information_value([b.count - b.bads for b in filled], [b.bads for b in filled]) if filled else 0.0
    missing = binning.bins[-1]
    others = [b.woe for b in binning.bins[:-1] if b.count]
    if missing.count < min_count and others:
        missing.woe = min(others)
    return binning


def _number(x: float) -> str:
    return f"{x:g}"


def _range_label(lower: float | None, upper: float | None) -> str:
    if lower is None and upper is None:
        return "all"
    if lower is None:
        return f"< {_number(upper)}"  # type: ignore[arg-type]
    if upper is None:
        return f">= {_number(lower)}"
    return f"[{_number(lower)}, {_number(upper)})"


def _categories_label(categories: list[str], limit: int = 80) -> str:
    label = " | ".join(categories)
    return label if len(label) <= limit else label[: limit - 1] + "…"
