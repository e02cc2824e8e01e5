"""Audit write cost: 1,000 chained audit_event calls in one transaction vs 1,000 raw INSERTs of like rows.

The baseline writes rows with precomputed filler hashes far above the chain, so it measures the database alone.
"""

from __future__ import annotations

from typing import Any

N = 1_000


def run(*, best_of: Any, report: Any) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from loancrm.core.audit import audit_event

    def ours() -> None:
        with transaction.atomic():
            for i in range(N):
                audit_event(None, "bench.event", None, {"i": i})

    sql = (
        "INSERT INTO core_auditevent (seq, created_at, actor_repr, action, target_type, target_id, target_repr, data, "
        "user_agent, prev_hash, row_hash, mac) VALUES (%s, %s, 'system', 'bench.event', '', '', '', %s, '', %s, %s, %s)"
    )
    offset = [10_000_000]

    def raw() -> None:
        now, filler = timezone.now(), "0" * 64
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, [(offset[0] + i, now, f'{{"i": {i}}}', filler, filler, filler) for i in range(N)])
        offset[0] += N

    report(f"core: audit_event x{N} (one transaction)", "per 1k events", best_of(ours, 3), best_of(raw, 3))
