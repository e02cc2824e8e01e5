"""``manage.py scorecard_evaluate --scorecard ID --csv FILE --target COLUMN [--bad-value V] [--json]``.

Prints AUC, KS and Gini of a stored scorecard on a labelled file; ``--json`` prints one line
``{"auc": …, "ks": …, "gini": …, "n": …}``.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from loancrm.core.errors import DomainError
from loancrm.scoring.management.commands.scorecard_train import metrics_line
from loancrm.scoring.models import Scorecard
from loancrm.scoring.services import read_csv, scorecard_evaluate


class Command(BaseCommand):
    help = "Evaluate a scorecard (AUC, KS, Gini) on a CSV with a good/bad target column."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scorecard", type=int, required=True, help="scorecard id")
        parser.add_argument("--csv", required=True, help="UTF-8 CSV with a header line")
        parser.add_argument("--target", required=True, help="the good/bad column")
        parser.add_argument("--bad-value", help="the target value meaning bad (default: 1, bad, yes, true …)")
        parser.add_argument("--json", action="store_true", help="print one JSON line")

    def handle(self, *args: Any, **options: Any) -> None:
        scorecard = Scorecard.objects.filter(pk=options["scorecard"]).first()
        if scorecard is None:
            raise CommandError(_("Scorecard %(id)s does not exist.") % {"id": options["scorecard"]})
        try:
            rows = read_csv(options["csv"])
            figures = scorecard_evaluate(
                scorecard=scorecard, rows=rows, target=options["target"], bad_value=options["bad_value"]
            )
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(figures))
        else:
            self.stdout.write(metrics_line(str(scorecard), figures))
