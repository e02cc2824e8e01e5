"""Verify a contract's stored file (or a copy given with --file): SHA-256 and the lender's PAdES seal.

Exits 0 when valid, 1 when verification fails (so a flipped byte in a copy shows as a failure).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from loancrm.contracts.choices import FileKind
from loancrm.contracts.models import Contract
from loancrm.contracts.services import contract_verify


class Command(BaseCommand):
    help = "Verify the signed (or latest) file of a contract: hash and PAdES signature; exit 1 on failure."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("contract_no")
        parser.add_argument("--file", help="check this copy against the stored record instead of the stored file")

    def handle(self, *args: Any, **options: Any) -> None:
        contract = Contract.objects.filter(contract_no=options["contract_no"]).first()
        if contract is None:
            raise CommandError(f"no contract {options['contract_no']}")
        record = contract.latest_file(FileKind.SIGNED) or contract.latest_file(FileKind.UNSIGNED)
        if record is None:
            raise CommandError(f"contract {contract.contract_no} has no file")
        data = Path(options["file"]).read_bytes() if options["file"] else None
        result = contract_verify(record, data=data)
        sig = result.signature
        self.stdout.write(f"contract   {contract.contract_no} ({record.kind}, file #{record.pk})")
        self.stdout.write(f"stored     sha256 {record.sha256}")
        self.stdout.write(f"computed   sha256 {result.computed_sha256}  {'match' if result.hash_ok else 'MISMATCH'}")
        if sig is not None:
            state = "valid" if sig.valid else f"INVALID ({sig.error})"
            self.stdout.write(f"signature  {sig.field or 'LenderSeal'}: {state}; signer {sig.signer or '-'}; "
                              f"signed at {sig.signed_at or '-'}")  # fmt: skip
        self.stdout.write("RESULT     " + ("valid" if result.valid else "VERIFICATION FAILED"))
        if not result.valid:
            sys.exit(1)
