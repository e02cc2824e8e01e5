"""Print the business date (YYYY-MM-DD), or set it / import a year's holidays as an audited system action."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from loancrm.core import services
from loancrm.core.business_date import current_business_date
from loancrm.core.errors import DomainError


class Command(BaseCommand):
    help = "Print the business date; --set DATE --reason TEXT changes it; --import-holidays YEAR loads holidays."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--set", dest="new_date", type=dt.date.fromisoformat, help="YYYY-MM-DD")
        parser.add_argument("--reason", default="", help="why the date is changed (required with --set)")
        parser.add_argument("--import-holidays", dest="year", type=int, help="load the official arrangement")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["year"]:
                counts = services.calendar_import_year(year=options["year"], actor=None)
                self.stderr.write(f"holidays {options['year']}: {counts['added']} added, {counts['skipped']} skipped")
            if options["new_date"]:
                services.business_date_set(
                    new_date=options["new_date"], reason=options["reason"], actor=None, system=True
                )
        except DomainError as exc:
            details = " ".join(str(m) for msgs in exc.fields.values() for m in msgs)
            raise CommandError(f"{exc.message} {details}".strip()) from exc
        self.stdout.write(current_business_date().isoformat())
