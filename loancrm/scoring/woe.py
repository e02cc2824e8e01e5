"""Weight of evidence and information value of a binned feature.

Convention: WOE = ln(share of goods in the bin / share of bads in the bin), so a higher WOE means less risk.
Both shares are smoothed by ``SMOOTHING`` pseudo-counts per bin, so a bin with no goods or no bads has a finite
WOE; IV = Σ (good share − bad share) × WOE is then finite and never negative.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

SMOOTHING = 0.5


def woe_values(goods: Sequence[float], bads: Sequence[float], smoothing: float = SMOOTHING) -> list[float]:
    """The WOE of each bin from its good and bad counts (same order)."""
    total_good = sum(goods) + smoothing * len(goods)
    total_bad = sum(bads) + smoothing * len(bads)
    return [
        math.log(((g + smoothing) / total_good) / ((b + smoothing) / total_bad))
        for g, b in zip(goods, bads, strict=True)
    ]


def information_value(goods: Sequence[float], bads: Sequence[float], smoothing: float = SMOOTHING) -> float:
    """IV of the binning: Σ (good share − bad share) × WOE over bins, ≥ 0."""
    total_good = sum(goods) + smoothing * len(goods)
    total_bad = sum(bads) + smoothing * len(bads)
    iv = 0.0
    for g, b in zip(goods, bads, strict=True):
        good_share = (g + smoothing) / total_good
        bad_share = (b + smoothing) / total_bad
        iv += (good_share - bad_share) * math.log(good_share / bad_share)
    return iv
