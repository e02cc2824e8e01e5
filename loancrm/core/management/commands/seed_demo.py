"""Load demo data for every app that has a ``demo.py`` with ``seed()``; safe to run repeatedly."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from loancrm.core.discovery import app_modules


class Command(BaseCommand):
    help = "Load the demo data (idempotent: a second run adds nothing) and print the demo logins."

    def handle(self, *args: Any, **options: Any) -> None:
        logins: list[str] = []
        for config, module in app_modules("demo"):
            self.stdout.write(f"seeding {config.label} …")
            logins.extend(module.seed() or [])
        if logins:
            self.stdout.write("\nDemo logins (username / password / role · unit):")
            for line in logins:
                self.stdout.write(f"  {line}")
