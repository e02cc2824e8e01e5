"""The train and evaluate commands end to end, bad input (messages in the default language, Chinese), publishing,
immutability and the demo seed."""

import csv
import json

import pytest
from django.core.management import CommandError, call_command

from loancrm.core.models import AuditEvent
from loancrm.scoring import demo
from loancrm.scoring.errors import ScorecardPublished
from loancrm.scoring.models import Scorecard, ScorecardFeature, ScorecardStatus
from loancrm.scoring.services import scorecard_publish, scorecard_score, scorecard_train
from loancrm.scoring.synthetic import generate

pytestmark = pytest.mark.django_db


def write_csv(path, rows, *, bom=True):
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        if rows:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    return str(path)


def run(command, *args):
    from io import StringIO

    out = StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def history(tmp_path):
    rows = [{"id": f"H{i}", **row} for i, row in enumerate(generate(2000, seed=3))]
    return write_csv(tmp_path / "history.csv", rows)


def test_train_then_evaluate_with_json(history, tmp_path):
    output = run(
        "scorecard_train", "--csv", history, "--target", "bad", "--exclude", "id", "--name", "retail", "--json"
    )
    last = json.loads(output.strip().splitlines()[-1])
    scorecard = Scorecard.objects.get(pk=last["scorecard_id"])
    assert (scorecard.name, scorecard.version, scorecard.status) == ("retail", 1, ScorecardStatus.DRAFT)
    assert last["validation"]["auc"] > 0.65 and last["train"]["n"] == 1400 and last["validation"]["n"] == 600
    assert last["validation"] == scorecard.validation_metrics
    assert "IV " in output and "validation" in output
    assert scorecard.target == "bad = 1"
    assert not scorecard.features.filter(name="id").exists()
    assert AuditEvent.objects.filter(action="scorecard.trained", target_id=str(scorecard.pk)).exists()

    fresh = write_csv(tmp_path / "fresh.csv", generate(800, seed=4))
    figures = json.loads(
        run("scorecard_evaluate", "--scorecard", str(scorecard.pk), "--csv", fresh, "--target", "bad", "--json")
    )
    assert set(figures) == {"auc", "ks", "gini", "n"} and figures["n"] == 800
    assert figures["auc"] > 0.65 and figures["gini"] == pytest.approx(2 * figures["auc"] - 1, abs=1e-3)

    again = json.loads(
        run(
            "scorecard_train", "--csv", history, "--target", "bad", "--exclude", "id", "--name", "retail", "--json"
        ).splitlines()[-1]
    )
    assert Scorecard.objects.get(pk=again["scorecard_id"]).version == 2
    assert again["validation"] == last["validation"]  # the seeded split: same file, same card


def test_score_explains_each_feature(history):
    from loancrm.scoring.services import read_csv

    scorecard, _ = scorecard_train(rows=read_csv(history), target="bad", exclude=["id"])
    row = generate(1, seed=99)[0]
    score, explanation = scorecard_score(scorecard, row)
    assert score == scorecard.base_score + sum(points for *_, points in explanation)
    assert [name for name, *_ in explanation] == list(scorecard.features.values_list("name", flat=True))
    assert all(value == row[name] for name, value, _label, _points in explanation)


@pytest.mark.parametrize(
    ("rows", "args", "message"),
    [
        ([{"a": "1", "bad": "1"}, {"a": "2", "bad": "0"}], ["--target", "outcome"], "文件中没有目标列“outcome”"),
        ([{"a": str(i), "bad": str(i % 3)} for i in range(30)], ["--target", "bad"], "必须恰好有两个取值，实际有 3 个"),
        ([{"a": str(i), "bad": "1"} for i in range(30)], ["--target", "bad"], "必须恰好有两个取值，实际有 1 个"),
        ([], ["--target", "bad"], "文件没有数据行"),
        (
            [{"a": "same", "bad": str(i % 2)} for i in range(100)],
            ["--target", "bad"],
            "没有可用变量",
        ),
        ([{"a": str(i), "bad": "pq"[i % 2]} for i in range(30)], ["--target", "bad"], "请用 --bad-value 指定"),
        (
            [{"a": str(i), "bad": str(i % 2)} for i in range(30)],
            ["--target", "bad", "--bad-value", "7"],
            "坏客户取值“7”不是目标列的取值",
        ),
    ],
)
def test_bad_input_is_a_clear_command_error(tmp_path, rows, args, message):
    path = write_csv(tmp_path / "in.csv", rows)
    with pytest.raises(CommandError, match=message):
        run("scorecard_train", "--csv", path, *args)
    assert not Scorecard.objects.exists()


def test_evaluate_refuses_a_missing_scorecard_and_a_missing_target(tmp_path, history):
    path = write_csv(tmp_path / "in.csv", generate(50, seed=1))
    with pytest.raises(CommandError, match="评分卡 999 不存在"):
        run("scorecard_evaluate", "--scorecard", "999", "--csv", path, "--target", "bad")
    scorecard, _ = scorecard_train(rows=generate(1000, seed=2), target="bad")
    with pytest.raises(CommandError, match="文件中没有目标列“label”"):
        run("scorecard_evaluate", "--scorecard", str(scorecard.pk), "--csv", path, "--target", "label")


def test_published_scorecard_cannot_be_modified():
    scorecard, _ = scorecard_train(rows=generate(1000, seed=2), target="bad")
    published = scorecard_publish(scorecard=scorecard)
    assert published.status == ScorecardStatus.PUBLISHED and published.published_at is not None
    with pytest.raises(ScorecardPublished):
        scorecard_publish(scorecard=published)
    published.base_score += 10
    with pytest.raises(ScorecardPublished):
        published.save()
    feature = ScorecardFeature.objects.filter(scorecard=published).first()
    feature.bins = []
    with pytest.raises(ScorecardPublished):
        feature.save()
    with pytest.raises(ScorecardPublished):
        feature.delete()
    with pytest.raises(ScorecardPublished):
        published.delete()
    stored = Scorecard.objects.get(pk=published.pk)
    assert stored.base_score == scorecard.base_score and stored.features.count() == scorecard.features.count()
    assert all(f.bins for f in stored.features.all())


def test_demo_seed_publishes_once():
    assert demo.seed() == []
    assert demo.seed() == []
    cards = Scorecard.objects.filter(name=demo.DEMO_NAME)
    assert cards.count() == 1 and cards.get().status == ScorecardStatus.PUBLISHED
    assert cards.get().validation_metrics["auc"] > 0.65
