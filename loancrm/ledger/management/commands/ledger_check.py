"""Verify the journal and every loan's sub-ledger; print a summary and the first problems, exit 1 on any."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from loancrm.ledger.checks import LABELS, SAMPLE, run_checks


class Command(BaseCommand):
    help = "Check that entries balance, the trial balance is zero and each loan agrees with its sub-ledger."

    def handle(self, *args: Any, **options: Any) -> None:
        report = run_checks()
        self.stdout.write(
            f"ledger_check: {report.entries:,} entries, {report.lines:,} lines, {report.loans:,} loans checked "
            f"in {report.seconds:.2f}s"
        )
        if report.ok:
            self.stdout.write("ledger OK: every entry balances, the trial balance is zero, every loan agrees.")
            return
        counts = ", ".join(f"{LABELS[kind]} ({kind}) {n:,}" for kind, n in report.counts.items())
        self.stderr.write(f"ledger BROKEN: {report.total:,} problem(s): {counts}")
        for problem in report.problems[:SAMPLE]:
            self.stderr.write(f"  [{problem.kind}] {problem}")
        raise SystemExit(1)
