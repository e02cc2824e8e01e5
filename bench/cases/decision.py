"""Automated decision latency and throughput (#7); the case lives in ``bench/decision.py``."""

from bench.decision import run

__all__ = ["run"]
