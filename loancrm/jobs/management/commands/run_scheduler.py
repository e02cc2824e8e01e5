"""Start scheduled jobs when their slot comes: ``manage.py run_scheduler [--once]``."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from loancrm.jobs.services import scheduler_tick

INTERVAL_SECONDS = 15


def scheduler_loop(stop: threading.Event, write: Any, interval: float = INTERVAL_SECONDS) -> None:
    """Tick until ``stop`` is set; errors are logged and the loop goes on."""
    while not stop.is_set():
        close_old_connections()
        try:
            for name in scheduler_tick():
                write(f"scheduler: started {name}")
        except Exception as exc:
            write(f"scheduler: tick failed: {exc}")
        stop.wait(interval)


class Command(BaseCommand):
    help = "Run the job scheduler (several may run; each slot starts once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="run a single tick and exit")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["once"]:
            for name in scheduler_tick():
                self.stdout.write(f"started {name}")
            return
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_args: stop.set())
        self.stdout.write("scheduler running (Ctrl-C stops)")
        scheduler_loop(stop, self.stdout.write)
