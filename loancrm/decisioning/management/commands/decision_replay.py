"""``python manage.py decision_replay ID [--json]``: replay an automated decision under its stored versions.

Prints the comparison (or JSON with ``--json``) and exits 1 when the replay differs from the record.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from loancrm.core.errors import NotFound
from loancrm.decisioning.services import decision_replay


class Command(BaseCommand):
    help = "Replay an automated decision under its stored rule-set and scorecard versions; exit 1 on a mismatch."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("decision_id", type=int)
        parser.add_argument("--json", action="store_true", help="print the comparison as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            replay = decision_replay(decision_id=options["decision_id"], actor="manage.py decision_replay")
        except NotFound as exc:
            raise CommandError(_("No decision with id %(id)s.") % {"id": options["decision_id"]}) from exc
        decision = replay.decision
        if options["json"]:
            payload = {
                "decision": decision.pk,
                "application": decision.application.number,
                "replay": replay.pk,
                "same": replay.same_outcome,
                "recorded": {"outcome": decision.outcome, "score": decision.score, "reasons": decision.reasons},
                "replayed": {k: replay.result.get(k) for k in ("outcome", "score", "reasons")},
                "differences": replay.differences,
            }
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(
                _("Decision %(decision)s (application %(application)s): recorded %(outcome)s, score %(score)s.")
                % {"decision": decision.pk, "application": decision.application.number, "outcome": decision.outcome,
                   "score": decision.score}
            )  # fmt: skip
            if replay.same_outcome:
                self.stdout.write(_("Replay matches the record (outcome, score, reasons, points)."))
            for difference in replay.differences:
                self.stdout.write(
                    _("Differs: %(field)s recorded %(recorded)s, replayed %(replayed)s.")
                    % {key: json.dumps(difference[key], ensure_ascii=False) if key != "field" else difference[key]
                       for key in ("field", "recorded", "replayed")}
                )  # fmt: skip
        if not replay.same_outcome:
            sys.exit(1)
