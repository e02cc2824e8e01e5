"""Lead file import: a generated N-row .xlsx (5% bad rows) through the background run vs raw INSERT … ON CONFLICT.

Ours is ``run_import`` on a stored file: read the sheet (``imports.xlsx``; in a reader process for large files),
clean every row, encrypt mobile and ID number, blind indexes, INSERT … ON CONFLICT DO NOTHING RETURNING per chunk,
hits, pre-filter, assignment by the channel's rule (none here: round robin), first-call tasks and timeline entries,
rejected rows, one audit event per chunk, the cursor. The baseline inserts the same number of bare rows (mobile,
name) into a scratch table with multi-row INSERT … ON CONFLICT DO NOTHING in chunks of the same size, one
transaction each. ``BENCH_IMPORT_ROWS`` sets N (default 100,000).

Wall time on a shared machine varies; the CPU time of the importing process, of its reader process and (when the
server runs on this machine) of the PostgreSQL backend are printed too.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import time
from pathlib import Path
from typing import Any

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "100000"))
BAD_EVERY = 20  # 5% of the rows have a malformed mobile


def _write_file(path: Path) -> None:
    from openpyxl import Workbook

    from loancrm.core.china_ids import id_check_digit

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("线索")
    sheet.append(["客户姓名", "手机号码", "身份证号", "所在城市", "意向金额", "意向产品", "渠道活动"])
    born = dt.date(1975, 1, 1)
    for i in range(ROWS):
        first17 = f"110105{born + dt.timedelta(days=i // 900):%Y%m%d}{i % 900 + 100:03d}"
        mobile = "12345" if i % BAD_EVERY == 7 else f"13{i:09d}"
        id_number = first17 + id_check_digit(first17)
        sheet.append([f"客户{i}", mobile, id_number, "北京", 50000 + i % 7 * 1000, "经营贷", ""])
    workbook.save(path)


def _setup() -> Any:
    from django.db import connection

    from loancrm.accounts.models import OrgUnit
    from loancrm.accounts.tests.factories import make_org_tree, make_user
    from loancrm.leads.models import AgentDuty, Channel, Lead

    org = make_org_tree() if not OrgUnit.objects.filter(code="T-HQ").exists() else None
    team = org.bj_team1 if org else OrgUnit.objects.get(code="T-BJ-1")
    for i in range(4):
        agent = make_user(f"bench_import_agent{i}", role="sales_agent", unit=team)
        AgentDuty.objects.update_or_create(user=agent, defaults={"capacity": 10_000_000, "on_duty": True})
    channel, _created = Channel.objects.get_or_create(code="bench_import", defaults={"name": "bench", "team": team})
    Lead.objects.filter(channel=channel).delete()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE leads_lead")  # earlier runs' dead rows would slow the unique checks
        cursor.execute("DROP TABLE IF EXISTS bench_raw_import")
        cursor.execute("CREATE TABLE bench_raw_import (mobile varchar(11) PRIMARY KEY, name varchar(60))")
    boss = make_user("bench_import_lead", role="sales_lead", unit=team)
    return boss, channel


def _raw_baseline(chunk: int) -> float:
    from django.db import connection, transaction

    started = time.perf_counter()
    for start in range(0, ROWS, chunk):
        rows = [(f"13{i:09d}", f"客户{i}") for i in range(start, min(ROWS, start + chunk))]
        values = ", ".join(["(%s, %s)"] * len(rows))
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO bench_raw_import (mobile, name) VALUES {values} ON CONFLICT DO NOTHING",
                [cell for row in rows for cell in row],
            )
    return time.perf_counter() - started


def _cpu_seconds() -> tuple[float, float, float | None]:
    """CPU seconds so far of this process, of its finished child processes, and of this connection's PostgreSQL
    backend (None when it cannot be read from /proc, e.g. a server on another machine)."""
    import resource

    from django.db import connection

    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    backend = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            (pid,) = cursor.fetchone()
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            backend = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            backend = None
    return time.process_time(), children.ru_utime + children.ru_stime, backend


def run(*, best_of: Any, report: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from loancrm.imports import processing, services

    boss, channel = _setup()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.xlsx"
        started = time.perf_counter()
        _write_file(path)
        print(f"  generated {ROWS:,} rows, {path.stat().st_size / 1e6:.1f} MB in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        lead_import = services.import_upload(
            actor=boss, upload=SimpleUploadedFile("bench.xlsx", path.read_bytes()), channel_id=channel.pk
        )
    upload_seconds = time.perf_counter() - started
    services.import_map(actor=boss, lead_import_id=lead_import.pk, mapping=lead_import.mapping)
    lead_import.__class__.objects.filter(pk=lead_import.pk).update(status="running")
    cpu_before = _cpu_seconds()
    started = time.perf_counter()
    processing.run_import(lead_import.pk)
    ours = time.perf_counter() - started
    cpu = [after - before if after is not None and before is not None else None
           for after, before in zip(_cpu_seconds(), cpu_before, strict=True)]  # fmt: skip
    lead_import.refresh_from_db()
    raw = _raw_baseline(processing.CHUNK_SIZE)
    print(
        f"  upload check (store, hash, count rows): {upload_seconds:.1f} s; import: {ROWS / ours:,.0f} rows/s "
        f"(created {lead_import.created_count:,}, invalid {lead_import.invalid_count:,}, "
        f"duplicates {lead_import.duplicate_count:,}); raw INSERT … ON CONFLICT: {ROWS / raw:,.0f} rows/s"
    )
    backend = f"{cpu[2]:.1f} s" if cpu[2] is not None else "n/a"
    print(f"  CPU: importer {cpu[0]:.1f} s, reader process {cpu[1]:.1f} s, database backend {backend}")
    report(f"imports: {ROWS:,}-row xlsx, chunks of {processing.CHUNK_SIZE}", "wall time", ours, raw)
