"""Batch intake through the HTTP API: a partner posts batches of 1,000 leads (``POST /api/v1/leads/batch``) to
gunicorn; baseline: the same number of bare rows by multi-row ``INSERT … ON CONFLICT DO NOTHING``, 1,000 a statement.

PostgreSQL only (BENCH_DATABASE_URL), like the single-lead API case.
"""

from __future__ import annotations

import http.client
import json
import os
import time
from typing import Any

BATCHES = int(os.environ.get("BENCH_BATCHES", "10"))
BATCH = 1_000


def _post(token: str, port: int, first: int) -> tuple[float, dict[str, Any]]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    items = [
        {"channel": "api", "mobile": f"16{first + i:09d}", "name": "测试", "campaign": "batch"} for i in range(BATCH)
    ]
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    started = time.perf_counter()
    connection.request("POST", "/api/v1/leads/batch", json.dumps({"items": items}), headers)
    response = connection.getresponse()
    answer = json.loads(response.read())
    connection.close()
    return time.perf_counter() - started, answer


def run(*, best_of: Any, report: Any) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        print("  lead batch API: skipped (set BENCH_DATABASE_URL to a PostgreSQL database)")
        return
    from bench.cases.lead_api import PORT, WORKERS, _server, _setup

    token = _setup()
    connection.close()
    server = _server()
    try:
        _post(token, PORT, 900_000_000)  # warm-up
        timings, created = [], 0
        for batch in range(BATCHES):
            elapsed, answer = _post(token, PORT, batch * BATCH)
            timings.append(elapsed)
            created += answer["created"]
    finally:
        server.terminate()
        server.wait(timeout=30)
    total = BATCHES * BATCH
    ours = sum(timings)
    print(f"  lead batch API: {total / ours:,.0f} leads/s ({BATCHES} batches of {BATCH}, {created} created, "
          f"slowest batch {max(timings) * 1000:.0f} ms, {WORKERS} gunicorn workers)")  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_raw_batch")
        cursor.execute("CREATE TABLE bench_raw_batch (mobile varchar(11) PRIMARY KEY, payload text)")
        started = time.perf_counter()
        for batch in range(BATCHES):
            rows = [(f"16{batch * BATCH + i:09d}", "测试") for i in range(BATCH)]
            marks = ", ".join(["(%s, %s)"] * BATCH)
            cursor.execute(f"INSERT INTO bench_raw_batch (mobile, payload) VALUES {marks} ON CONFLICT DO NOTHING",
                           [value for row in rows for value in row])  # fmt: skip
        raw = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_raw_batch")
    print(f"  raw multi-row INSERT … ON CONFLICT: {total / raw:,.0f} rows/s")
    report(f"leads: batch API, {total} leads", "wall time", ours, raw)
