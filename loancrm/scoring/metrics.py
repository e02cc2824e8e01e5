"""Discrimination metrics of a risk ranking: AUC (from ranks), KS and Gini.

``labels`` are 1 for bad and 0 for good; ``risk`` is higher for riskier rows (pass minus the score for a
scorecard, where a higher score is safer). Ties share their average rank (AUC) and move together (KS), so the
metrics do not depend on row order. Gini = 2·AUC − 1. Each needs at least one bad and one good.
"""

from __future__ import annotations

from collections.abc import Sequence


def _check(labels: Sequence[int], risk: Sequence[float]) -> tuple[int, int]:
    if len(labels) != len(risk):
        raise ValueError("labels and risk differ in length")
    bads = sum(1 for y in labels if y)
    goods = len(labels) - bads
    if not bads or not goods:
        raise ValueError("need at least one bad and one good")
    return bads, goods


def auc(labels: Sequence[int], risk: Sequence[float]) -> float:
    """P(a random bad is ranked riskier than a random good), ties counting one half (Mann–Whitney U)."""
    bads, goods = _check(labels, risk)
    order = sorted(range(len(risk)), key=lambda i: risk[i])
    rank_sum = 0.0
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and risk[order[j + 1]] == risk[order[i]]:
            j += 1
        average_rank = (i + j) / 2 + 1
        rank_sum += average_rank * sum(1 for k in range(i, j + 1) if labels[order[k]])
        i = j + 1
    return (rank_sum - bads * (bads + 1) / 2) / (bads * goods)


def ks(labels: Sequence[int], risk: Sequence[float]) -> float:
    """Largest gap between the cumulative bad and good shares, cutting only between distinct risk values."""
    bads, goods = _check(labels, risk)
    order = sorted(range(len(risk)), key=lambda i: -risk[i])
    cum_bad = cum_good = 0
    best = 0.0
    for position, i in enumerate(order):
        if labels[i]:
            cum_bad += 1
        else:
            cum_good += 1
        last_of_tie = position + 1 == len(order) or risk[order[position + 1]] != risk[i]
        if last_of_tie:
            best = max(best, abs(cum_bad / bads - cum_good / goods))
    return best


def gini(labels: Sequence[int], risk: Sequence[float]) -> float:
    return 2 * auc(labels, risk) - 1


def summary(labels: Sequence[int], risk: Sequence[float]) -> dict[str, float | int]:
    """``{"auc", "ks", "gini", "n"}`` rounded to 4 places."""
    area = auc(labels, risk)
    return {"auc": round(area, 4), "ks": round(ks(labels, risk), 4), "gini": round(2 * area - 1, 4), "n": len(labels)}
