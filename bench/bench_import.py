"""Shortcut for the lead-import benchmark: ``python bench/bench_import.py`` = ``python bench/run.py lead_import``."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.run import main

if __name__ == "__main__":
    sys.argv[1:] = ["lead_import"]
    raise SystemExit(main())
