"""Training on data with a known risk model recovers a good model; a score is base + Σ points."""

import random

import pytest

from loancrm.scoring import metrics
from loancrm.scoring.synthetic import COLUMNS, generate, true_log_odds
from loancrm.scoring.training import DataError, detect_kinds, fit_card, resolve_labels, stratified_split

FEATURES = [c for c in COLUMNS if c != "bad"]


@pytest.fixture(scope="module")
def synthetic():
    rows = generate(4000, seed=11)
    labels = resolve_labels(rows, "bad", None)
    train, validation = stratified_split(labels.values, seed=5)
    card = fit_card([rows[i] for i in train], [labels.values[i] for i in train], detect_kinds(rows, FEATURES))
    return rows, labels.values, validation, card


def test_validation_auc_is_close_to_the_true_model(synthetic):
    rows, labels, validation, card = synthetic
    figures = card.evaluate([rows[i] for i in validation], [labels[i] for i in validation])
    truth = metrics.auc([labels[i] for i in validation], [_true(rows[i]) for i in validation])
    assert figures["auc"] > 0.68  # a random model scores about 0.5
    assert figures["auc"] > truth - 0.03
    assert figures["ks"] > 0.25


def test_score_is_base_plus_feature_points_and_points_follow_risk(synthetic):
    rows, _labels, _validation, card = synthetic
    score, explanation = card.score(rows[0])
    assert score == card.base_score + sum(points for *_, points in explanation)
    assert [name for name, *_ in explanation] == [f.binning.feature for f in card.features]
    overdue = next(f for f in card.features if f.binning.feature == "overdue_count")
    ranges = [b.points for b in overdue.binning.bins[:-1]]
    assert ranges == sorted(ranges, reverse=True)  # more overdue, fewer points
    unseen = card.score({**rows[0], "region": "火星"})[1]
    assert any(label == "missing" for name, _v, label, _p in unseen if name == "region")


def test_split_is_stratified_and_deterministic():
    labels = [1] * 30 + [0] * 70
    train, holdout = stratified_split(labels, seed=1)
    assert stratified_split(labels, seed=1) == (train, holdout)
    assert sum(labels[i] for i in train) == 21 and len(train) == 70
    assert sorted(train + holdout) == list(range(100))


def test_constant_and_identifier_columns_give_no_usable_feature():
    rng = random.Random(0)
    rows = [{"flat": "5", "id": f"A{i}", "y": str(int(rng.random() < 0.5))} for i in range(300)]
    labels = [int(r["y"]) for r in rows]
    with pytest.raises(DataError) as caught:
        fit_card(rows, labels, detect_kinds(rows, ["flat", "id"]))
    assert caught.value.code == "no_feature"


def _true(row):
    def number(key):
        return float(row[key])

    return true_log_odds(
        age=int(row["age"]),
        monthly_income=number("monthly_income"),
        debt_to_income=number("debt_to_income"),
        employment_years=number("employment_years") if row["employment_years"] else None,
        region=row["region"],
        education=row["education"] or None,
        housing=row["housing"],
        inquiries_6m=int(row["inquiries_6m"]),
        multi_lending_count=int(row["multi_lending_count"]),
        overdue_count=int(row["overdue_count"]),
    )
