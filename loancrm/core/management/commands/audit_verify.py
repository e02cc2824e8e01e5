"""Check the audit trail end to end; exit 1 and name the first broken row on any tampering."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from loancrm.core.audit_verify import verify_audit_trail


class Command(BaseCommand):
    help = "Verify the audit hash chain, its signed head and checkpoints (exit 1 on any break)."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        report = verify_audit_trail()
        elapsed = time.perf_counter() - started
        if report.ok:
            self.stdout.write(
                f"audit trail OK: {report.rows} events in {report.chains} chain(s), "
                f"{report.checkpoints} checkpoints, {elapsed:.1f}s"
            )
            return
        first = report.problems[0]
        where = f"#{first.seq}" + (f" (row id {first.row_id})" if first.row_id else "")
        self.stderr.write(f"audit trail BROKEN at {where}: {first.reason}")
        raise SystemExit(1)
