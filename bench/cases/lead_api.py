"""Lead intake through the HTTP API as deployed: gunicorn with 2 × cores + 1 sync workers (gunicorn's own advice),
8 clients posting single leads with a partner's bearer token after a warm-up of 20 each; baseline: raw INSERT …
ON CONFLICT from 8 clients.

PostgreSQL only (BENCH_DATABASE_URL): SQLite serialises writers, and the worker processes need a shared server.
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

CLIENTS = 8
PER_CLIENT = int(os.environ.get("BENCH_LEADS_PER_CLIENT", "100"))
WORKERS = int(os.environ.get("BENCH_API_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))  # gunicorn's advice
PORT = int(os.environ.get("BENCH_API_PORT", "8765"))
GUNICORN_ARGS = os.environ.get("BENCH_GUNICORN_ARGS", "")  # e.g. "--worker-class=gthread --threads=4"
ROOT = Path(__file__).resolve().parents[2]


def _setup() -> str:
    """A channel bound to a team with four agents, and a partner account's token for it; returns the token."""
    from bench.cases.lead_intake import fresh_bench_team
    from loancrm.accounts.models import OrgUnit, User, UserKind
    from loancrm.accounts.services import api_token_create
    from loancrm.accounts.tests.factories import make_org_tree, make_user
    from loancrm.leads.models import Channel

    org = make_org_tree() if not OrgUnit.objects.filter(code="T-HQ").exists() else None
    team = org.bj_team1 if org else OrgUnit.objects.get(code="T-BJ-1")
    for i in range(4):
        if not User.objects.filter(username=f"api_agent{i}").exists():
            make_user(f"api_agent{i}", role="sales_agent", unit=team)
    admin = User.objects.filter(username="api_admin").first() or make_user("api_admin", role="administrator")
    partner = User.objects.filter(username="api_partner").first() or make_user(
        "api_partner", role="sales_agent", unit=team, kind=UserKind.PARTNER
    )
    channel, _created = Channel.objects.update_or_create(
        code="api", defaults={"name": "api", "team": team, "partner": partner}
    )
    fresh_bench_team(team, channel)
    _token, secret = api_token_create(actor=admin, user_id=partner.pk, name="bench", scopes=["leads:write"])
    return secret


def _server() -> subprocess.Popen[bytes]:
    from django.conf import settings

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "FIELD_ENCRYPTION_KEYS": settings.FIELD_ENCRYPTION_KEYS,
        "BLIND_INDEX_KEY": settings.BLIND_INDEX_KEY,
        "DB_CONN_MAX_AGE": "60",
    }
    command = [sys.executable, "-m", "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{PORT}", "-w", str(WORKERS),
               "--keep-alive", "30", "--log-level", "warning", *GUNICORN_ARGS.split()]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603
    for _ in range(100):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=1)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("gunicorn did not start")


def _clients(token: str, *, per_client: int = PER_CLIENT, first: int = 0) -> tuple[float, list[float], dict[int, int]]:
    """``CLIENTS`` keep-alive connections each posting ``per_client`` new leads (mobiles numbered from ``first``)."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    barrier = threading.Barrier(CLIENTS)

    def client(n: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        barrier.wait()
        for i in range(first, first + per_client):
            body = json.dumps({"channel": "api", "mobile": f"15{n}{i:08d}", "name": "测试", "campaign": "bench"})
            started = time.perf_counter()
            connection.request("POST", "/api/v1/leads", body, headers)
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


def run(*, best_of: Any, report: Any) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        print("  lead API: skipped (set BENCH_DATABASE_URL to a PostgreSQL database)")
        return
    from bench.cases.lead_intake import CLIENTS as RAW_CLIENTS
    from bench.cases.lead_intake import _parallel

    token = _setup()
    connection.close()
    server = _server()
    try:
        _clients(token, per_client=20, first=90_000_000 - 20)  # warm-up: a deployed server has its connections ready
        elapsed, latencies, statuses = _clients(token)
    finally:
        server.terminate()
        server.wait(timeout=30)
    total = CLIENTS * PER_CLIENT
    p50, p99 = (latencies[int(len(latencies) * q) - 1] * 1000 for q in (0.5, 0.99))
    print(f"  lead API: {total / elapsed:,.0f} leads/s, p50 {p50:.1f} ms, p99 {p99:.1f} ms, max "
          f"{latencies[-1] * 1000:.1f} ms ({CLIENTS} clients × {PER_CLIENT}, {WORKERS} gunicorn workers "
          f"{GUNICORN_ARGS}), statuses {statuses}")  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_raw_api (mobile varchar(11) PRIMARY KEY, payload text)")

    def raw(n: int, i: int) -> None:
        from django.db import connection as conn

        with conn.cursor() as cursor:
            cursor.execute("INSERT INTO bench_raw_api (mobile, payload) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                           [f"15{n}{i:08d}", "测试"])  # fmt: skip

    assert RAW_CLIENTS == CLIENTS
    raw_elapsed, raw_latencies = _parallel(raw)
    raw_p99 = raw_latencies[int(len(raw_latencies) * 0.99) - 1] * 1000
    print(f"  raw INSERT … ON CONFLICT: {total / raw_elapsed:,.0f} rows/s, p99 {raw_p99:.1f} ms")
    report(f"leads: API intake of {total} leads, {CLIENTS} clients", "wall time", elapsed, raw_elapsed)
