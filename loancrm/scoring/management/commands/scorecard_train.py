"""``manage.py scorecard_train --csv FILE --target COLUMN [--bad-value V] [--exclude COL,...] [--name NAME] [--json]``.

Trains a draft scorecard (next version of NAME) on a 70/30 train/validation split of the file and prints AUC, KS
and Gini of both parts and each feature's IV; with ``--json`` the last line is
``{"scorecard_id": …, "train": {…}, "validation": {…}}``.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from loancrm.core.errors import DomainError
from loancrm.scoring.services import read_csv, scorecard_train


def metrics_line(label: str, figures: dict[str, Any]) -> str:
    return f"{label:<11} AUC {figures['auc']:.4f}  KS {figures['ks']:.4f}  Gini {figures['gini']:.4f}  n {figures['n']}"


class Command(BaseCommand):
    help = "Train a draft scorecard from a CSV of historical applications with a good/bad target column."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--csv", required=True, help="UTF-8 CSV with a header line")
        parser.add_argument("--target", required=True, help="the good/bad column")
        parser.add_argument("--bad-value", help="the target value meaning bad (default: 1, bad, yes, true …)")
        parser.add_argument("--exclude", default="", help="comma-separated columns to leave out")
        parser.add_argument("--name", default="scorecard", help="scorecard name (a new version is added)")
        parser.add_argument("--json", action="store_true", help="end with one JSON line")

    def handle(self, *args: Any, **options: Any) -> None:
        exclude = [c.strip() for c in options["exclude"].split(",") if c.strip()]
        try:
            rows = read_csv(options["csv"])
            scorecard, report = scorecard_train(
                rows=rows,
                target=options["target"],
                bad_value=options["bad_value"],
                exclude=exclude,
                name=options["name"],
            )
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(f"scorecard {scorecard} (id {scorecard.pk}, draft), base score {scorecard.base_score}")
        self.stdout.write(metrics_line("train", report["train"]))
        self.stdout.write(metrics_line("validation", report["validation"]))
        used = set(report["features"])
        for feature, iv in sorted(report["iv"].items(), key=lambda item: -item[1]):
            self.stdout.write(f"  IV {iv:.4f}  {feature}{'' if feature in used else '  (not used)'}")
        if options["json"]:
            line = {"scorecard_id": scorecard.pk, "train": report["train"], "validation": report["validation"]}
            self.stdout.write(json.dumps(line))
