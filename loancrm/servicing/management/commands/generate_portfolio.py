"""``manage.py generate_portfolio --loans N --months M [--seed S]``: book a synthetic portfolio set-based.

N loans disbursed over the last M months before the business date, with their repayment history from a Markov roll
matrix, schedules, transactions, journal, DPD / buckets, bucket changes and month-end snapshots as a daily
end-of-day run would have left them (see
``loancrm.servicing.generator``). The same seed gives the same portfolio; a seed books once.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from loancrm.core.errors import DomainError
from loancrm.servicing.generator.writer import CHUNK_LOANS, POOL_SIZE, Report, generate


class Command(BaseCommand):
    help = "Book a synthetic loan portfolio with repayment history (demo and benchmark data)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loans", type=int, required=True, help="number of loans")
        parser.add_argument("--months", type=int, default=24, help="disbursements spread over this many months")
        parser.add_argument("--seed", type=int, default=1, help="random seed (contract numbers G<seed>-…)")
        parser.add_argument("--chunk", type=int, default=CHUNK_LOANS, help="loans per transaction")
        parser.add_argument("--customers", type=int, default=POOL_SIZE, help="size of the borrower pool")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = generate(loans=options["loans"], months=options["months"], seed=options["seed"],
                              chunk=options["chunk"], pool=options["customers"], progress=self._progress)  # fmt: skip
        except DomainError as exc:
            raise CommandError("; ".join(str(m) for ms in exc.fields.values() for m in ms) or str(exc)) from exc
        buckets = ", ".join(f"{code} {count}" for code, count in sorted(report.by_bucket.items()))
        self.stdout.write(
            _("%(loans)d loans, %(rows)d instalments, %(txns)d transactions, %(lines)d journal lines in %(s).1f s "
              "(%(rate).0f loans/s); %(created)d customers created") % {
                "loans": report.loans, "rows": report.installments, "txns": report.transactions,
                "lines": report.lines, "s": report.seconds, "rate": report.loans_per_second,
                "created": report.customers_created,
            }
        )  # fmt: skip
        self.stdout.write(_("By bucket: %(buckets)s") % {"buckets": buckets})

    def _progress(self, report: Report, total: int) -> None:
        self.stdout.write(
            _("%(done)d / %(total)d loans (%(rate).0f loans/s)")
            % {"done": report.loans, "total": total, "rate": report.loans_per_second}
        )
