"""Online repayment posting through the signed channel notification API as deployed: gunicorn with 2 × cores + 1
sync workers, 8 clients each notifying payments on its own loans (HMAC-SHA256 signature, idempotency row, waterfall,
journal, audit) after a warm-up; baseline: the same number of raw 5-statement transactions from 8 clients (lock the
loan, insert a transaction row and three journal lines, update an instalment row and the loan). Also printed: the
web tier's ceiling on this machine, the same clients calling ``GET /healthz`` on the same server.

PostgreSQL only (BENCH_DATABASE_URL).
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import os
import threading
import time
from typing import Any

CLIENTS = 8
PER_CLIENT = int(os.environ.get("BENCH_PAYMENTS_PER_CLIENT", "200"))
LOANS_PER_CLIENT = 10
SECRET = "bench-channel-secret"  # noqa: S105 (a scratch channel of the benchmark)


def _channel() -> str:
    from loancrm.loans.channels import channel_create
    from loancrm.loans.models import PaymentChannel

    if not PaymentChannel.objects.filter(code="BENCH").exists():
        channel_create(code="BENCH", name="bench", secret=SECRET, actor=None)
    return "BENCH"


def _clients(
    contracts: list[str], port: int, *, per_client: int, tag: str
) -> tuple[float, list[float], dict[int, int]]:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    barrier = threading.Barrier(CLIENTS)

    def client(n: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        barrier.wait()
        for i in range(per_client):
            body = json.dumps({
                "channel_txn_id": f"{tag}-{n}-{i}",
                "contract_no": contracts[n * LOANS_PER_CLIENT + i % LOANS_PER_CLIENT],
                "amount": "10.00",
                "paid_at": "2026-06-01T10:00:00+08:00",
            }).encode()  # fmt: skip
            stamp = str(int(time.time()))
            signature = hmac.new(SECRET.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
            headers = {"Content-Type": "application/json", "X-Timestamp": stamp, "X-Signature": signature}
            started = time.perf_counter()
            connection.request("POST", "/api/v1/payments/notify/BENCH", body, headers)
            response = connection.getresponse()
            response.read()
            with lock:
                latencies.append(time.perf_counter() - started)
                statuses[response.status] = statuses.get(response.status, 0) + 1
        connection.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, sorted(latencies), statuses


def _ceiling(port: int, per_client: int) -> float:
    """Requests per second of ``GET /healthz`` (the whole middleware stack and one ``SELECT 1``) from the same
    clients: what this machine's web tier does with no work at all — the roof over any endpoint's figure."""
    barrier = threading.Barrier(CLIENTS)

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        barrier.wait()
        for _ in range(per_client):
            connection.request("GET", "/healthz")
            connection.getresponse().read()
        connection.close()

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return CLIENTS * per_client / (time.perf_counter() - started)


def run(*, best_of: Any, report: Any) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        print("  payment API: skipped (set BENCH_DATABASE_URL to a PostgreSQL database)")
        return
    from bench.cases.lead_api import PORT, WORKERS, _server
    from bench.cases.payment_post import book_bench_loans, raw_posting_baseline

    tag = f"PA{os.getpid()}"
    loan_ids = book_bench_loans(CLIENTS * LOANS_PER_CLIENT, tag)
    from loancrm.loans.models import Loan

    contracts = list(Loan.objects.filter(pk__in=loan_ids).order_by("pk").values_list("contract_no", flat=True))
    _channel()
    connection.close()
    server = _server()
    try:
        _clients(contracts, PORT, per_client=10, tag=f"{tag}-warm")
        elapsed, latencies, statuses = _clients(contracts, PORT, per_client=PER_CLIENT, tag=tag)
        ceiling = _ceiling(PORT, PER_CLIENT)
    finally:
        server.terminate()
        server.wait(timeout=30)
    total = CLIENTS * PER_CLIENT
    p50, p99 = (latencies[int(len(latencies) * q) - 1] * 1000 for q in (0.5, 0.99))
    print(f"  payment API: {total / elapsed:,.0f} payments/s, p50 {p50:.1f} ms, p99 {p99:.1f} ms, max "
          f"{latencies[-1] * 1000:.1f} ms ({CLIENTS} clients × {PER_CLIENT}, {WORKERS} gunicorn workers), "
          f"statuses {statuses}")  # fmt: skip
    raw_elapsed, raw_p99 = raw_posting_baseline(loan_ids, PER_CLIENT)
    print(f"  raw 5-statement transactions: {total / raw_elapsed:,.0f}/s, p99 {raw_p99:.1f} ms")
    print(f"  web-tier ceiling, GET /healthz on the same server and clients: {ceiling:,.0f}/s")
    report(f"loans: payment API x{total}, {CLIENTS} clients", "wall time", elapsed, raw_elapsed)
