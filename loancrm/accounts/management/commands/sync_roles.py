from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from loancrm.accounts.roles import sync_roles


class Command(BaseCommand):
    help = "Create the built-in roles and grant their permissions (--reset: exactly the built-in set)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reset", action="store_true", help="remove permissions not in the built-in set")

    def handle(self, *args: Any, **options: Any) -> None:
        count = sync_roles(reset=options["reset"])
        if options["verbosity"]:
            self.stdout.write(f"{count} roles in place")
