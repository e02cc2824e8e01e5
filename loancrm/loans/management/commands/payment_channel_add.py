"""Create a payment channel (with its clearing ledger account), or rotate an existing channel's signing secret.

    manage.py payment_channel_add CODE --name NAME [--secret S] [--inactive]
    manage.py payment_channel_add CODE --rotate-secret [--secret S] [--name NAME]

Without ``--secret`` the secret is read from standard input (one line) or, on a terminal, asked for without echo;
that keeps it out of the shell history. The secret is never printed back. Audited as a system action.
"""

from __future__ import annotations

import getpass
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from loancrm.core.errors import DomainError
from loancrm.loans.channels import channel_create, channel_update
from loancrm.loans.models import PaymentChannel
from loancrm.loans.services import clearing_account


class Command(BaseCommand):
    help = "Create a payment channel (CODE --name N --secret S) or rotate its secret (CODE --rotate-secret)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="channel code, used in /api/v1/payments/notify/CODE")
        parser.add_argument("--name", default=None, help="display name (required when creating)")
        parser.add_argument("--secret", default=None, help="signing secret (default: read from stdin / prompt)")
        parser.add_argument("--rotate-secret", action="store_true", help="replace the secret of an existing channel")
        parser.add_argument("--inactive", action="store_true", help="create the channel switched off")

    def _secret(self, given: str | None) -> str:
        if given is not None:
            return str(given)
        if sys.stdin is not None and sys.stdin.isatty():
            return getpass.getpass("Signing secret: ")
        line = sys.stdin.readline() if sys.stdin is not None else ""
        return line.rstrip("\r\n")

    def handle(self, *args: Any, **options: Any) -> None:
        code = str(options["code"]).strip()
        actor = f"manage.py payment_channel_add ({getpass.getuser()})"
        existing = PaymentChannel.objects.filter(code=code).first()
        try:
            if options["rotate_secret"]:
                if existing is None:
                    raise CommandError(f"no payment channel {code!r}")
                channel_update(channel_id=existing.pk, actor=actor, name=options["name"],
                               secret=self._secret(options["secret"]))  # fmt: skip
                self.stdout.write(f"payment channel {code}: secret replaced")
                return
            if existing is not None:
                raise CommandError(f"payment channel {code!r} exists; use --rotate-secret to replace its secret")
            if not options["name"]:
                raise CommandError("--name is required when creating a channel")
            channel = channel_create(code=code, name=options["name"], secret=self._secret(options["secret"]),
                                     is_active=not options["inactive"], actor=actor)  # fmt: skip
        except DomainError as exc:
            raise CommandError(exc.summary()) from exc
        self.stdout.write(
            f"payment channel {channel.code} created (clearing account {clearing_account(channel.code)}); "
            f"notifications: POST /api/v1/payments/notify/{channel.code}"
        )
