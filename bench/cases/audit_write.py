"""Audit write cost: 1,000 audit_event calls in one transaction vs 1,000 raw INSERTs of the same rows."""

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
        "INSERT INTO core_auditevent (created_at, actor_repr, action, target_type, target_id, target_repr, data, "
        "user_agent) VALUES (%s, 'system', 'bench.event', '', '', '', %s, '')"
    )

    def raw() -> None:
        now = timezone.now()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, [(now, f'{{"i": {i}}}') for i in range(N)])

    report(f"core: audit_event x{N} (one transaction)", "per 1k events", best_of(ours, 3), best_of(raw, 3))
