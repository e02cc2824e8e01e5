"""Load demo data for every app that has a ``demo.py`` with ``seed()``; safe to run repeatedly."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Load the demo data (idempotent: a second run adds nothing) and print the demo logins."

    def handle(self, *args: Any, **options: Any) -> None:
        logins: list[str] = []
        for config in apps.get_app_configs():
            if not config.name.startswith("loancrm."):
                continue
            try:
                module = import_module(f"{config.name}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.demo":
                    raise
                continue
            self.stdout.write(f"seeding {config.label} …")
            logins.extend(module.seed() or [])
        if logins:
            self.stdout.write("\nDemo logins (username / password / role · unit):")
            for line in logins:
                self.stdout.write(f"  {line}")
