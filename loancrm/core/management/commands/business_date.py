"""Print the business date (YYYY-MM-DD), or set it / import a year's holidays as an audited system action.

stdout carries exactly one line, the business date after the command ran; progress notes go to stderr.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.encoding import force_str

from loancrm.core import services
from loancrm.core.business_date import current_business_date
from loancrm.core.errors import DomainError


def iso_date(value: str) -> dt.date:
    """Exactly YYYY-MM-DD (argparse reports anything else as a usage error)."""
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError(value)
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {value!r}") from exc


class Command(BaseCommand):
    help = "Print the business date; --set DATE --reason TEXT changes it; --import-holidays YEAR loads holidays."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--set", dest="new_date", type=iso_date, metavar="YYYY-MM-DD", help="set the date")
        parser.add_argument("--reason", default="", help="why the date is changed (required with --set)")
        parser.add_argument(
            "--import-holidays", dest="year", type=int, metavar="YEAR", help="load that year's official arrangement"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["reason"] and not options["new_date"]:
            raise CommandError("--reason is only used with --set")
        try:
            if options["year"] is not None:
                counts = services.calendar_import_year(year=options["year"], actor=None)
                self.stderr.write(f"holidays {options['year']}: {counts['added']} added, {counts['skipped']} skipped")
            if options["new_date"]:
                services.business_date_set(
                    new_date=options["new_date"], reason=options["reason"], actor=None, system=True
                )
        except DomainError as exc:
            raise CommandError(f"{force_str(exc.message)} {exc.summary()}".strip()) from exc
        self.stdout.write(current_business_date().isoformat())
