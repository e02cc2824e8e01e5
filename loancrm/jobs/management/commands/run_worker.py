"""One process for ``make worker``: the scheduler in a thread and the task worker in the foreground.

The worker is django-tasks-db's ``db_worker`` on the "default" and "batch" queues; it owns the signal handling
(first SIGTERM/SIGINT: finish the current task and exit; second: stop at once, the run is recorded as failed and
can be resumed). The scheduler thread stops with it.
"""

from __future__ import annotations

import threading
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from loancrm.jobs.management.commands.run_scheduler import INTERVAL_SECONDS, scheduler_loop


class Command(BaseCommand):
    help = "Run the scheduler and a database task worker for the default and batch queues."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-scheduler", action="store_true", help="only work tasks (extra workers)")
        parser.add_argument("--queues", default="default,batch", help="comma-separated queue names")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between task queue polls")

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        if not options["no_scheduler"]:
            thread = threading.Thread(
                target=scheduler_loop, args=(stop, self.stdout.write, INTERVAL_SECONDS), name="scheduler", daemon=True
            )
            thread.start()
            self.stdout.write("scheduler started")
        try:
            call_command(
                "db_worker",
                queue_name=options["queues"],
                interval=options["interval"],
                reload=False,
                verbosity=options["verbosity"],
            )
        finally:
            stop.set()
