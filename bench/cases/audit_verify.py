"""audit_verify over N chained rows (BENCH_AUDIT_ROWS, default 200,000) vs reading the same rows raw."""

from __future__ import annotations

import os
import time
from typing import Any

CHUNK = 5_000


def _populate(n: int) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from loancrm.core.audit import audit_key, head_mac
    from loancrm.core.audit_chain import GENESIS, chain_hash, sign
    from loancrm.core.models import AuditChainHead

    sql = (
        "INSERT INTO core_auditevent (seq, created_at, actor_id, actor_repr, action, target_type, target_id, "
        "target_repr, data, ip, user_agent, prev_hash, row_hash, mac) "
        "VALUES (%s, %s, NULL, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
    )
    key, prev, now = audit_key(), GENESIS, timezone.now()
    import json

    with transaction.atomic():
        AuditChainHead.objects.all().delete()
        batch = []
        for seq in range(1, n + 1):
            row = {"seq": seq, "created_at": now, "actor_id": None, "actor_repr": "bench", "action": "loan.updated",
                   "target_type": "loans.loan", "target_id": str(seq), "target_repr": f"L{seq:08d}",
                   "data": {"before": {"status": "active"}, "after": {"status": "overdue"}, "amount": "8606.64"},
                   "ip": "10.0.0.1", "user_agent": "bench"}  # fmt: skip
            row_hash = chain_hash(prev, row)
            values = (row["action"], row["target_type"], row["target_id"], row["target_repr"], json.dumps(row["data"]))
            batch.append((seq, now, "bench", *values, row["ip"], "bench", prev, row_hash, sign(key, row_hash)))
            prev = row_hash
            if len(batch) == CHUNK:
                with connection.cursor() as cursor:
                    cursor.executemany(sql, batch)
                batch = []
        if batch:
            with connection.cursor() as cursor:
                cursor.executemany(sql, batch)
        AuditChainHead.objects.create(singleton=1, seq=n, row_hash=prev, mac=head_mac(n, prev))


def run(*, best_of: Any, report: Any) -> None:
    from django.db import connection

    from loancrm.core.audit_verify import verify_audit_trail

    n = int(os.environ.get("BENCH_AUDIT_ROWS", "200000"))
    started = time.perf_counter()
    _populate(n)
    print(f"  (generated {n:,} chained audit rows in {time.perf_counter() - started:.1f}s)")

    def ours() -> None:
        assert verify_audit_trail().ok

    def raw() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM core_auditevent ORDER BY seq")
            while cursor.fetchmany(CHUNK):
                pass

    report(f"core: audit_verify over {n:,} rows", "whole chain", best_of(ours, 1), best_of(raw, 1))
