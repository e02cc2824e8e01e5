"""Run the benchmarks: ``make bench`` (or ``python bench/run.py [case ...]``).

Each case prints its figure beside a raw-database baseline measured in the same run on the same data, so the
ratio holds on any machine. Data lives in a scratch SQLite file (or the database named by BENCH_DATABASE_URL,
which is migrated first and must be disposable).
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def best_of(fn: Callable[[], Any], repeat: int = 5) -> float:
    """Fastest wall time of ``repeat`` runs in seconds (the least disturbed by other load)."""
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        timings.append(time.perf_counter() - start)
    return min(timings)


def report(name: str, unit: str, ours: float, baseline: float, note: str = "") -> None:
    ratio = ours / baseline if baseline else float("inf")
    print(f"{name:<44} {ours * 1000:10.2f} ms   baseline {baseline * 1000:10.2f} ms   x{ratio:5.2f}  {unit} {note}")


def main() -> int:
    scratch = tempfile.mkdtemp(prefix="loancrm-bench-")
    if os.environ.get("BENCH_DATABASE_URL"):
        os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
    else:
        os.environ.pop("DATABASE_URL", None)
        os.environ["SQLITE_PATH"] = f"{scratch}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.db import connection

    print(f"database: {connection.vendor}; python {sys.version.split()[0]}; cores {os.cpu_count()}")
    import bench.cases as cases

    wanted = set(sys.argv[1:])
    for info in pkgutil.iter_modules(cases.__path__):
        if wanted and info.name not in wanted:
            continue
        module = importlib.import_module(f"bench.cases.{info.name}")
        module.run(best_of=best_of, report=report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
