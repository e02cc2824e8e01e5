"""Start scheduled jobs when their slot comes: ``manage.py run_scheduler [--once] [--interval SECONDS]``.

Several schedulers may run (one per worker host): a slot is claimed by inserting its ScheduledTick, so it starts
once. Missed slots are not replayed: after a pause only the latest due slot of each job runs (see
``services.scheduler_tick``). SIGTERM / SIGINT stop the loop between ticks.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections, connection

from loancrm.jobs.services import scheduler_tick

INTERVAL_SECONDS = 15.0
logger = logging.getLogger(__name__)


def scheduler_loop(stop: threading.Event, write: Callable[[str], Any], interval: float = INTERVAL_SECONDS) -> None:
    """Tick until ``stop`` is set; a failed tick is logged and the loop goes on."""
    try:
        while not stop.is_set():
            close_old_connections()
            try:
                for name in scheduler_tick():
                    write(f"scheduler: started {name}")
            except Exception as exc:
                logger.exception("scheduler tick failed")
                write(f"scheduler: tick failed: {exc}")
            stop.wait(interval)
    finally:
        connection.close()


class Command(BaseCommand):
    help = "Run the job scheduler (several may run; each slot starts once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="run a single tick and exit")
        parser.add_argument("--interval", type=float, default=INTERVAL_SECONDS, help="seconds between ticks")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["once"]:
            for name in scheduler_tick():
                self.stdout.write(f"started {name}")
            return
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_args: stop.set())
        self.stdout.write(f"scheduler running every {options['interval']:g} s (Ctrl-C stops)")
        scheduler_loop(stop, self.stdout.write, options["interval"])
        self.stdout.write("scheduler stopped")
