"""Write a self-signed demo seal certificate (PKCS#12) to ``settings.LOANCRM_SEAL_PKCS12`` (default var/)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from loancrm.contracts.certs import write_demo_certificate
from loancrm.contracts.rendering import lender


class Command(BaseCommand):
    help = "Generate a self-signed demo seal certificate for contract signatures (never for production)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--force", action="store_true", help="replace an existing file")
        parser.add_argument("--if-missing", action="store_true", help="do nothing when the file exists")

    def handle(self, *args: Any, **options: Any) -> None:
        raw = str(getattr(settings, "LOANCRM_SEAL_PKCS12", "") or "")
        if not raw:
            raise CommandError("LOANCRM_SEAL_PKCS12 is not set")
        path = Path(raw)
        if path.exists() and not options["force"]:
            if options["if_missing"]:
                return
            raise CommandError(f"{path} exists (use --force to replace it)")
        write_demo_certificate(path, organisation=lender()["name"], passphrase=settings.LOANCRM_SEAL_PASSPHRASE)
        self.stdout.write(f"demo seal certificate written to {path}")
