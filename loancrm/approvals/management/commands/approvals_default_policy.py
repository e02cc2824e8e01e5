"""Create and publish the default approval policy and authority limits when none exist (no other data needed)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from loancrm.approvals.services import authority_defaults_ensure, policy_default_ensure


class Command(BaseCommand):
    help = "Publish the default approval policy and authority limits if there are none."

    def handle(self, *args: Any, **options: Any) -> None:
        policy = policy_default_ensure()
        limits = authority_defaults_ensure()
        self.stdout.write(f"approval policy {policy} published; {limits} authority limits created")
