"""Importing a file end to end: exact summary, rejected rows with reasons, owners kept, resume, refusals."""

from __future__ import annotations

import io
import multiprocessing
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from loancrm.core.errors import ValidationFailed
from loancrm.core.models import AuditEvent
from loancrm.imports import processing, services
from loancrm.imports.models import ImportStatus, LeadImport, RejectedRow
from loancrm.imports.rejects import rejected_rows_response
from loancrm.imports.tests.conftest import HEADERS, upload, valid_id, xlsx_bytes
from loancrm.jobs.models import JobRun, JobStatus
from loancrm.jobs.runner import execute_run
from loancrm.leads.choices import Validity
from loancrm.leads.models import Lead, LeadHit
from loancrm.leads.services import lead_intake

ADULT = valid_id("11010519900615001")
SEVENTY = valid_id("11010519500101001")
FILE_ROWS = [
    HEADERS,
    ["张三", "13800000001", ADULT, "北京", 50000, "a"],  # 2 created
    ["李四", "13800000002", "", "上海", "", ""],  # 3 created
    ["王五", "12345", "", "", "", ""],  # 4 invalid mobile
    ["赵六", "=HYPERLINK(\"http://x\")", "", "", "", ""],  # 5 a formula is text: invalid mobile
    ["张三", "138 0000 0001", "", "", "", ""],  # 6 duplicate of row 2 (same file)
    ["老客户", "13900000001", "", "", "", ""],  # 7 duplicate of an existing lead
    ["钱七", "13800000007", SEVENTY, "", "", ""],  # 8 created, fails the pre-filter (age)
    ["孙八", "13800000008", "", "", "abc", ""],  # 9 invalid amount
]  # fmt: skip


@pytest.fixture
def existing(team):
    return lead_intake(data={"channel": "baidu", "mobile": "13900000001", "name": "老客户"}).lead


def _upload(team, rows=FILE_ROWS, name="leads.xlsx"):
    content = xlsx_bytes(rows) if name.endswith(".xlsx") else rows
    return services.import_upload(
        actor=team["boss"], upload=upload(name, content), channel_id=team["channel"].pk, campaign="2024Q2"
    )


def _start(team, lead_import):
    services.import_map(actor=team["boss"], lead_import_id=lead_import.pk, mapping=lead_import.mapping)
    services.import_start(actor=team["boss"], lead_import_id=lead_import.pk)
    lead_import.refresh_from_db()
    return lead_import


@pytest.fixture(params=["in process", "reader process"])
def pipeline(request, monkeypatch):
    """Run imports both ways: prepared in the importing process, and (chunks of 3) by a spawned reader process."""
    if request.param == "reader process":
        monkeypatch.setattr(processing, "PIPELINE_MIN_ROWS", 1)
        monkeypatch.setattr(processing, "CHUNK_SIZE", 3)
    return request.param


def test_a_file_is_imported_with_the_exact_summary(team, existing, pipeline):
    owner = existing.owner
    lead_import = _start(team, _upload(team))
    assert lead_import.mapping == ["name", "mobile", "id_number", "city", "desired_amount", ""]
    assert execute_run(lead_import.job_run_id) == JobStatus.SUCCEEDED
    lead_import.refresh_from_db()
    assert (lead_import.status, lead_import.row_count, lead_import.rows_done) == (ImportStatus.DONE, 8, 8)
    assert (
        lead_import.created_count,
        lead_import.duplicate_count,
        lead_import.invalid_count,
        lead_import.prefilter_invalid_count,
    ) == (3, 2, 3, 1)
    assert list(lead_import.rejected_rows.values_list("row_number", "kind")) == [
        (4, "invalid"), (5, "invalid"), (6, "duplicate"), (7, "duplicate"), (9, "invalid"),
    ]  # fmt: skip
    zhang = Lead.objects.get(name="张三")
    assert (zhang.mobile, zhang.id_number, zhang.desired_amount, zhang.campaign) == (
        "13800000001", ADULT, Decimal("50000.00"), "2024Q2",
    )  # fmt: skip
    assert zhang.owner in team["agents"] and Lead.objects.get(name="李四").owner in team["agents"]
    qian = Lead.objects.get(name="钱七")
    assert (qian.validity, qian.owner, qian.org_unit) == (Validity.INVALID, None, team["channel"].team)
    existing.refresh_from_db()
    assert (existing.owner, existing.hit_count, zhang.hit_count) == (owner, 1, 1)
    assert LeadHit.objects.filter(lead__in=[existing, zhang]).count() == 2
    assert Lead.objects.count() == 4
    run = JobRun.objects.get(pk=lead_import.job_run_id)
    assert (run.status, run.processed, run.failed_count) == (JobStatus.SUCCEEDED, 8, 5)
    actions = list(AuditEvent.objects.filter(target_type="imports.leadimport").values_list("action", flat=True))
    expected = ["lead_import.uploaded", "lead_import.mapped", "lead_import.started", "lead.bulk_intake"]
    chunks = 3 if pipeline == "reader process" else 1
    assert sorted(actions) == sorted([*expected, *["lead.bulk_intake"] * (chunks - 1), "lead_import.finished"])
    assert not multiprocessing.active_children()


def test_the_rejected_rows_file_has_exactly_those_rows_with_reasons(team, existing):
    lead_import = _start(team, _upload(team))
    execute_run(lead_import.job_run_id)
    response = rejected_rows_response(actor=team["boss"], lead_import=lead_import)
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["行号", "原因", *HEADERS]
    assert [row[0] for row in rows[1:]] == [4, 5, 6, 7, 9]
    assert rows[1][1] == "手机号：请输入有效的中国大陆手机号。"
    assert rows[2][3] == '\'=HYPERLINK("http://x")'  # escaped on export
    assert rows[3][1] == rows[4][1] == "重复：已存在的线索"
    assert "金额" in rows[5][1] and rows[5][6] == "abc"
    assert "agent" not in " ".join(str(cell) for row in rows for cell in row)


def test_a_crashed_run_resumes_without_duplicating(team, existing, monkeypatch, pipeline):
    monkeypatch.setattr(processing, "CHUNK_SIZE", 3)
    real = processing.lead_intake_bulk
    calls = []

    def crash_on_second_chunk(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("worker died")
        return real(**kwargs)

    monkeypatch.setattr(processing, "lead_intake_bulk", crash_on_second_chunk)
    lead_import = _start(team, _upload(team))
    assert execute_run(lead_import.job_run_id) == JobStatus.FAILED
    lead_import.refresh_from_db()
    assert (lead_import.status, lead_import.rows_done, lead_import.created_count) == (ImportStatus.FAILED, 3, 2)
    assert "worker died" in lead_import.error
    services.import_start(actor=team["boss"], lead_import_id=lead_import.pk)
    assert execute_run(lead_import.job_run_id) == JobStatus.SUCCEEDED
    lead_import.refresh_from_db()
    assert (lead_import.status, lead_import.rows_done) == (ImportStatus.DONE, 8)
    assert (lead_import.created_count, lead_import.duplicate_count, lead_import.invalid_count) == (3, 2, 3)
    assert Lead.objects.count() == 4 and RejectedRow.objects.count() == 5
    assert JobRun.objects.get(pk=lead_import.job_run_id).attempt == 2
    assert not multiprocessing.active_children()  # the reader process of the crashed run was stopped


def test_a_reader_process_with_other_keys_is_refused(team, existing, monkeypatch):
    from loancrm.imports import prefetch

    monkeypatch.setattr(processing, "PIPELINE_MIN_ROWS", 1)
    monkeypatch.setattr(processing, "CHUNK_SIZE", 3)
    monkeypatch.setattr(prefetch, "key_fingerprint", lambda: "other keys")  # this process only: the reader differs
    lead_import = _start(team, _upload(team))
    assert execute_run(lead_import.job_run_id) == JobStatus.FAILED
    lead_import.refresh_from_db()
    assert (lead_import.status, lead_import.rows_done) == (ImportStatus.FAILED, 3)  # the first chunk was read here
    assert "encryption keys" in lead_import.error
    assert Lead.objects.count() == 3 and not multiprocessing.active_children()


@pytest.mark.parametrize(
    ("name", "content", "limits", "message"),
    [
        ("leads.txt", b"mobile\n13800000001\n", {}, "Excel"),
        ("leads.csv", b"", {}, "空"),
        ("leads.csv", "手机号\n13800000001\n13800000002\n13800000003\n".encode(), {"MAX_ROWS": 2}, "2"),
        ("leads.csv", "手机号\n13800000001\n".encode(), {"MAX_BYTES": 10}, "MB"),
        ("leads.csv", "手机号\n".encode(), {}, "没有数据行"),
        ("leads.xlsx", b"mobile,name\n1,2\n", {}, "xlsx"),
    ],
)
def test_refused_files_write_nothing(team, media, monkeypatch, name, content, limits, message):
    for key, value in limits.items():
        monkeypatch.setattr(services, key, value)
    with pytest.raises(ValidationFailed) as refused:
        services.import_upload(actor=team["boss"], upload=upload(name, content), channel_id=team["channel"].pk)
    assert message in refused.value.summary()
    assert not LeadImport.objects.exists() and not AuditEvent.objects.exists()
    assert not (media / "imports").exists() or not any((media / "imports").iterdir())


def test_a_gbk_csv_is_imported(team, media):
    content = "姓名,手机号,渠道活动\n张三,13800000001,双十一\n李四,13800000002,\n".encode("gbk")
    lead_import = _start(team, _upload(team, content, "导入.csv"))
    assert (lead_import.encoding, lead_import.mapping) == ("gb18030", ["name", "mobile", "campaign"])
    execute_run(lead_import.job_run_id)
    assert dict(Lead.objects.values_list("name", "campaign")) == {"张三": "双十一", "李四": "2024Q2"}
    stored = list((media / "imports").iterdir())
    assert [p.read_bytes() for p in stored] == [content] and stored[0].name.endswith(".csv")


def test_a_stalled_run_can_be_resumed_but_a_live_one_cannot(team):
    from datetime import timedelta

    from django.utils import timezone

    from loancrm.jobs.services import JobRunning

    lead_import = _start(team, _upload(team))
    with pytest.raises(JobRunning):
        services.import_start(actor=team["boss"], lead_import_id=lead_import.pk)
    JobRun.objects.filter(pk=lead_import.job_run_id).update(
        status=JobStatus.RUNNING, heartbeat_at=timezone.now() - timedelta(minutes=11)
    )  # the worker was killed mid-run
    lead_import.refresh_from_db()
    assert lead_import.is_stalled and not lead_import.is_active
    services.import_start(actor=team["boss"], lead_import_id=lead_import.pk)
    assert execute_run(lead_import.job_run_id) == JobStatus.SUCCEEDED
    lead_import.refresh_from_db()
    assert (lead_import.status, lead_import.created_count) == (ImportStatus.DONE, 4)  # no lead existed before
