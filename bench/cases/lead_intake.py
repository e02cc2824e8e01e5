"""Lead intake throughput with 8 concurrent clients (service level) vs raw INSERT … ON CONFLICT from 8 clients.

Ours runs the full service per lead (cleaning, encryption, blind indexes, pre-filter, assignment, audit chain);
the baseline inserts the same number of bare rows with ON CONFLICT DO NOTHING. Meaningful on PostgreSQL
(BENCH_DATABASE_URL); on SQLite writers serialise, so the figure there is single-writer throughput.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any

CLIENTS = 8
PER_CLIENT = int(os.environ.get("BENCH_LEADS_PER_CLIENT", "100"))


def _parallel(work: Any) -> tuple[float, list[float]]:
    from django.db import connections

    latencies: list[float] = []
    lock = threading.Lock()
    barrier = threading.Barrier(CLIENTS)

    def client(n: int) -> None:
        try:
            barrier.wait()
            for i in range(PER_CLIENT):
                started = time.perf_counter()
                work(n, i)
                with lock:
                    latencies.append(time.perf_counter() - started)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, sorted(latencies)


TEAM_AGENTS = int(os.environ.get("BENCH_TEAM_AGENTS", "40"))
AGENT_CAPACITY = 400


def fresh_bench_team(team: Any, channel: Any) -> None:
    """Every run starts alike: the channel's leads of earlier runs are gone (their mobiles would be duplicates) and
    the receiving team is a large telesales team — TEAM_AGENTS agents on duty with room for AGENT_CAPACITY open
    leads each — so every intake takes the whole path (booking, task, timeline) and no agent holds more open leads
    than a real one would (capacity checks count them)."""
    from django.db import connection

    from loancrm.accounts.models import User
    from loancrm.accounts.tests.factories import make_user
    from loancrm.leads.models import AgentDuty, Lead

    Lead.objects.filter(channel=channel).only("pk").delete()
    for i in range(TEAM_AGENTS):
        if not User.objects.filter(username=f"bench_agent{i}").exists():
            make_user(f"bench_agent{i}", role="sales_agent", unit=team)
    for user in User.objects.filter(org_unit=team):
        AgentDuty.objects.update_or_create(user=user, defaults={"capacity": AGENT_CAPACITY, "on_duty": True})
    if connection.vendor == "postgresql":  # as autovacuum would: earlier runs' dead rows slow every count and check
        with connection.cursor() as cursor:
            for table in ("leads_lead", "sales_interaction", "sales_followuptask", "leads_agentduty"):
                cursor.execute(f"VACUUM ANALYZE {table}")


def run(*, best_of: Any, report: Any) -> None:
    from django.db import connection

    from loancrm.accounts.models import OrgUnit
    from loancrm.accounts.tests.factories import make_org_tree
    from loancrm.leads.models import Channel
    from loancrm.leads.services import lead_intake

    org = make_org_tree() if not OrgUnit.objects.filter(code="T-HQ").exists() else None
    team = org.bj_team1 if org else OrgUnit.objects.get(code="T-BJ-1")
    channel, _created = Channel.objects.get_or_create(code="bench", defaults={"name": "bench", "team": team})
    fresh_bench_team(team, channel)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE IF NOT EXISTS bench_raw_lead (mobile varchar(11) PRIMARY KEY, payload text)")

    def ours(n: int, i: int) -> None:
        lead_intake(data={"channel": "bench", "mobile": f"13{n}{i:08d}", "name": "测试", "campaign": "bench"})

    def raw(n: int, i: int) -> None:
        from django.db import connection as conn

        with conn.cursor() as cursor:
            cursor.execute(
                "INSERT INTO bench_raw_lead (mobile, payload) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                [f"13{n}{i:08d}", "测试"],
            )

    total = CLIENTS * PER_CLIENT
    elapsed, latencies = _parallel(ours)
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
    print(f"  lead intake: {total / elapsed:,.0f} leads/s, p99 {p99:.1f} ms ({CLIENTS} clients × {PER_CLIENT})")
    if connection.vendor == "postgresql":
        raw_elapsed, raw_latencies = _parallel(raw)
        raw_p99 = raw_latencies[int(len(raw_latencies) * 0.99) - 1] * 1000
        print(f"  raw INSERT … ON CONFLICT: {total / raw_elapsed:,.0f} rows/s, p99 {raw_p99:.1f} ms")
        report(f"leads: intake of {total} leads, {CLIENTS} clients", "wall time", elapsed, raw_elapsed)
