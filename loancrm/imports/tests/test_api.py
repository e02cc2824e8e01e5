"""Lead imports over the API: the whole flow, exact documents, refusals that write nothing, scope and token scopes."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from loancrm.accounts import services as account_services
from loancrm.accounts.tests.factories import make_user
from loancrm.core.models import AuditEvent
from loancrm.core.testing.access import assert_scoped
from loancrm.imports import services
from loancrm.imports.models import ImportStatus, LeadImport
from loancrm.imports.schemas import FieldName
from loancrm.imports.tests.conftest import upload, xlsx_bytes
from loancrm.jobs.models import JobRun, JobStatus
from loancrm.leads.models import Lead

ROWS = [["姓名", "电话", "备注"], ["张三", "13800000001", "x"], ["李四", "bad", "y"], ["王五", "13800000003", "z"]]
FIELDS = [
    {"name": "name", "label": "姓名"}, {"name": "mobile", "label": "手机号"},
    {"name": "id_number", "label": "身份证号"}, {"name": "city", "label": "城市"},
    {"name": "desired_amount", "label": "意向金额"},
    {"name": "desired_product", "label": "意向产品"}, {"name": "campaign", "label": "投放活动"},
    {"name": "external_id", "label": "外部编号"},
]  # fmt: skip


def client_for(user: Any, **headers: str) -> Client:
    client = Client(**headers)
    client.force_login(user)
    return client


def put_json(client: Client, url: str, body: Any, **extra: Any) -> Any:
    return client.put(url, json.dumps(body), content_type="application/json", **extra)


def post_file(client: Client, name: str, content: bytes, channel: str = "baidu", **extra: Any) -> Any:
    return client.post("/api/v1/imports", {"file": upload(name, content), "channel": channel, "campaign": "春季"},
                       **extra)  # fmt: skip


def uploaded(team: Any, rows: list[list[Any]] = ROWS) -> LeadImport:
    return services.import_upload(
        actor=team["boss"], upload=upload("a.xlsx", xlsx_bytes(rows)), channel_id=team["channel"].pk
    )


def stored_files(media: Any) -> list[str]:
    folder = media / "imports"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def actions(lead_import: LeadImport | None = None) -> list[str]:
    qs = AuditEvent.objects.filter(action__startswith="lead_import.")
    if lead_import is not None:
        qs = qs.filter(target_id=str(lead_import.pk))
    return list(qs.order_by("id").values_list("action", flat=True))


def test_the_field_names_of_the_schema_are_the_mapping_fields():
    from typing import get_args

    from loancrm.imports.mapping import FIELDS as MAPPING_FIELDS

    assert set(get_args(FieldName)) == {"", *MAPPING_FIELDS}


def test_upload_map_start_read_list_and_download(team, django_capture_on_commit_callbacks):
    client = client_for(team["boss"])
    # given a file uploaded through the API
    response = post_file(client, "名单.xlsx", xlsx_bytes(ROWS))
    assert response.status_code == 201
    lead_import = LeadImport.objects.get()
    body = response.json()
    assert {key: body[key] for key in ("id", "number", "file_name", "file_kind", "channel", "campaign", "status")} == {
        "id": lead_import.pk, "number": f"I{lead_import.pk:06d}", "file_name": "名单.xlsx", "file_kind": "xlsx",
        "channel": "baidu", "campaign": "春季", "status": "uploaded",
    }  # fmt: skip
    assert (body["row_count"], body["rows_done"], body["percent"], body["rejected_count"]) == (3, 0, 0, 0)
    assert (body["created_by"], body["stalled"], body["job_run_id"], body["error"]) == ("lead1", False, None, "")
    assert body["file_size"] == lead_import.file_size and body["sha256"] == lead_import.sha256
    assert body["headers"] == ["姓名", "电话", "备注"]
    assert body["mapping"] == body["guessed_mapping"] == ["name", "mobile", ""]
    assert body["mapping_open"] is True and body["fields"] == FIELDS
    assert body["preview"] == [
        {"number": 2, "values": {"name": "张三", "mobile": "138****0001"}, "problem": ""},
        {"number": 3, "values": {"name": "李四", "mobile": "***"}, "problem": "手机号：请输入有效的中国大陆手机号。"},
        {"number": 4, "values": {"name": "王五", "mobile": "138****0003"}, "problem": ""},
    ]
    url = f"/api/v1/imports/{lead_import.pk}"
    # when the mapping is corrected and saved
    response = put_json(client, f"{url}/mapping", {"mapping": ["", "mobile", ""]})
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["mapping"], body["guessed_mapping"]) == ("mapped", ["", "mobile", ""],
                                                                          ["name", "mobile", ""])  # fmt: skip
    assert [row["values"] for row in body["preview"]] == [{"mobile": "138****0001"}, {"mobile": "***"},
                                                          {"mobile": "138****0003"}]  # fmt: skip
    put_json(client, f"{url}/mapping", {"mapping": ["name", "mobile"]})  # a short mapping ignores the other columns
    # and the run is started
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{url}/start")
    assert response.status_code == 202
    started = response.json()
    assert started["status"] == "running" and started["job_run_id"] == JobRun.objects.get().pk
    # then the import is done with the exact summary
    body = client.get(url).json()
    assert (body["status"], body["percent"], body["rows_done"], body["mapping_open"], body["preview"]) == (
        "done", 100, 3, False, [],
    )  # fmt: skip
    assert (body["created_count"], body["duplicate_count"], body["invalid_count"], body["rejected_count"]) == (
        2,
        0,
        1,
        1,
    )
    assert body["mapping"] == ["name", "mobile", ""] and body["finished_at"] is not None
    assert set(Lead.objects.values_list("name", flat=True)) == {"张三", "王五"}
    assert actions(lead_import) == [
        "lead_import.uploaded", "lead_import.mapped", "lead_import.mapped", "lead_import.started",
        "lead_import.finished",
    ]  # fmt: skip
    listing = client.get("/api/v1/imports").json()
    assert (listing["count"], listing["page"], listing["page_size"]) == (1, 1, 50)
    assert listing["items"][0]["id"] == lead_import.pk and "preview" not in listing["items"][0]
    assert client.get("/api/v1/imports", {"status": "done"}).json()["count"] == 1
    assert client.get("/api/v1/imports", {"status": "failed"}).json()["count"] == 0
    download = client.get(f"{url}/rejected.xlsx")
    assert download.status_code == 200 and download["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    assert list(sheet.iter_rows(values_only=True)) == [
        ("行号", "原因", "姓名", "电话", "备注"),
        (3, "手机号：请输入有效的中国大陆手机号。", "李四", "bad", "y"),
    ]


def test_the_list_is_paginated_newest_first_and_filtered_by_status(team):
    first, second, third = (uploaded(team) for _ in range(3))
    LeadImport.objects.filter(pk=second.pk).update(status=ImportStatus.MAPPED)
    client = client_for(team["boss"])
    page = client.get("/api/v1/imports", {"page_size": 2}).json()
    assert (page["count"], [row["id"] for row in page["items"]]) == (3, [third.pk, second.pk])
    page = client.get("/api/v1/imports", {"page_size": 2, "page": 2}).json()
    assert [row["id"] for row in page["items"]] == [first.pk]
    assert [row["id"] for row in client.get("/api/v1/imports", {"status": "mapped"}).json()["items"]] == [second.pk]
    bad = client.get("/api/v1/imports", {"status": "lost"})
    assert bad.status_code == 422 and bad.json()["code"] == "validation_error" and "status" in bad.json()["fields"]


@pytest.mark.parametrize(
    ("name", "content", "channel", "fields"),
    [
        ("名单.pdf", b"%PDF-1.4", "baidu", {"file": ["请上传 Excel（.xlsx）或 CSV（.csv）文件。"]}),
        ("名单.csv", b"", "baidu", {"file": ["文件为空。"]}),
        ("名单.xlsx", b"not a zip", "baidu", {"file": ["文件内容与扩展名 .xlsx 不符。"]}),
        ("名单.xlsx", b"PK\x03\x04broken", "baidu", {"file": ["无法按 XLSX 格式读取该文件。"]}),
        ("名单.csv", "姓名,手机号\n".encode(), "baidu", {"file": ["文件表头下没有数据行。"]}),
        ("名单.csv", "姓名,手机号\n张三,13800000001\n".encode(), "nope", {"channel": ["未知的渠道。"]}),
    ],
)
def test_a_refused_upload_answers_the_page_s_reason_and_writes_nothing(team, media, name, content, channel, fields):
    response = post_file(client_for(team["boss"]), name, content, channel=channel)
    assert response.status_code == 400
    assert response.json() == {"code": "validation_error", "message": "部分字段无效。", "fields": fields}
    assert not LeadImport.objects.exists() and stored_files(media) == [] and actions() == []


def test_size_and_row_limits_are_those_of_the_page_in_the_caller_s_language(team, media, monkeypatch):
    monkeypatch.setattr(services, "MAX_ROWS", 2)
    english = client_for(team["boss"], HTTP_ACCEPT_LANGUAGE="en")
    response = post_file(english, "a.xlsx", xlsx_bytes(ROWS))
    assert response.status_code == 400 and response.json() == {
        "code": "validation_error", "message": "Some fields are invalid.",
        "fields": {"file": ["The file has more than 2 data rows; split it."]},
    }  # fmt: skip
    monkeypatch.setattr(services, "MAX_BYTES", 1024 * 1024)
    big = xlsx_bytes([["手机号"], *[[f"138{i:08d}"] for i in range(2)]]) + b"\0" * (1024 * 1024)
    response = post_file(client_for(team["boss"]), "a.xlsx", big)
    assert response.json()["fields"] == {"file": ["文件超过 1 MB。"]}
    assert not LeadImport.objects.exists() and stored_files(media) == [] and actions() == []


def test_an_upload_without_a_file_or_channel_is_refused_by_validation(team, media):
    response = client_for(team["boss"]).post("/api/v1/imports", {"campaign": "x"})
    assert response.status_code == 422
    assert response.json() == {
        "code": "validation_error", "message": "部分字段无效。",
        "fields": {"file": ["这个字段是必填项。"], "channel": ["这个字段是必填项。"]},
    }  # fmt: skip
    assert not LeadImport.objects.exists() and stored_files(media) == []


def test_a_refused_mapping_changes_nothing(team):
    lead_import = uploaded(team)
    client = client_for(team["boss"])
    url = f"/api/v1/imports/{lead_import.pk}/mapping"
    response = put_json(client, url, {"mapping": ["name", "", ""]})
    assert response.status_code == 400 and response.json() == {
        "code": "validation_error", "message": "部分字段无效。", "fields": {"mapping": ["请将一列映射为手机号。"]},
    }  # fmt: skip
    response = put_json(client, url, {"mapping": ["mobile", "mobile", ""]})
    assert response.json()["fields"] == {"mapping": ["每个字段只能由一列提供。"]}
    response = put_json(client, url, {"mapping": ["name", "phone", ""]})
    assert response.status_code == 422 and response.json()["fields"] == {"mapping.1": ["请选择允许的值之一。"]}
    lead_import.refresh_from_db()
    assert (lead_import.status, lead_import.mapping) == (ImportStatus.UPLOADED, ["name", "mobile", ""])
    assert actions(lead_import) == ["lead_import.uploaded"]


def test_a_finished_import_cannot_be_remapped_or_restarted(team):
    lead_import = uploaded(team)
    LeadImport.objects.filter(pk=lead_import.pk).update(status=ImportStatus.DONE)
    client = client_for(team["boss"])
    refused = {"code": "invalid_transition", "message": "当前状态下不允许此操作。", "fields": {}}
    response = put_json(client, f"/api/v1/imports/{lead_import.pk}/mapping", {"mapping": ["", "mobile", ""]})
    assert (response.status_code, response.json()) == (409, refused)
    response = client.post(f"/api/v1/imports/{lead_import.pk}/start")
    assert (response.status_code, response.json()) == (409, refused)
    lead_import.refresh_from_db()
    assert lead_import.mapping == ["name", "mobile", ""] and not JobRun.objects.exists()
    assert actions(lead_import) == ["lead_import.uploaded"]


def test_start_needs_a_saved_mapping_and_refuses_a_running_import(team):
    lead_import = uploaded(team)
    client = client_for(team["boss"])
    url = f"/api/v1/imports/{lead_import.pk}/start"
    response = client.post(url)
    assert response.status_code == 409 and response.json()["code"] == "invalid_transition"
    assert LeadImport.objects.get().status == ImportStatus.UPLOADED and not JobRun.objects.exists()
    services.import_map(actor=team["boss"], lead_import_id=lead_import.pk, mapping=["name", "mobile", ""])
    services.import_start(actor=team["boss"], lead_import_id=lead_import.pk)  # the worker is not running it yet
    JobRun.objects.update(status=JobStatus.RUNNING, heartbeat_at=timezone.now())
    response = client.post(url)
    assert (response.status_code, response.json()) == (
        409, {"code": "job_running", "message": "该作业正在排队或运行中。", "fields": {}},
    )  # fmt: skip
    assert actions(lead_import) == ["lead_import.uploaded", "lead_import.mapped", "lead_import.started"]


def test_a_failed_import_is_resumed_from_its_cursor(team, django_capture_on_commit_callbacks):
    lead_import = uploaded(team)
    services.import_map(actor=team["boss"], lead_import_id=lead_import.pk, mapping=["name", "mobile", ""])
    services.import_start(actor=team["boss"], lead_import_id=lead_import.pk)
    JobRun.objects.update(status=JobStatus.FAILED)
    LeadImport.objects.filter(pk=lead_import.pk).update(status=ImportStatus.FAILED, error="KeyboardInterrupt: ")
    client = client_for(team["boss"])
    assert client.get(f"/api/v1/imports/{lead_import.pk}").json()["error"] == "KeyboardInterrupt: "
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/imports/{lead_import.pk}/start")
    assert response.status_code == 202 and response.json()["error"] == ""
    body = client.get(f"/api/v1/imports/{lead_import.pk}").json()
    assert (body["status"], body["created_count"], body["invalid_count"]) == ("done", 2, 1)
    started = AuditEvent.objects.filter(action="lead_import.started").order_by("id")
    assert [event.data["resumed"] for event in started] == [False, True]


def test_imports_are_scoped_like_the_pages(team, org, admin_user):
    lead_import = uploaded(team)
    other = make_user("lead2", role="sales_lead", unit=org.bj_team2)
    agent = team["agents"][0]
    base = f"/api/v1/imports/{lead_import.pk}"
    for url in (base, f"{base}/rejected.xlsx"):
        assert_scoped(url, allowed=[team["boss"], admin_user], other_scope=[other], no_permission=[agent])
    assert_scoped(f"{base}/mapping", method="put", data={"mapping": ["name", "mobile", ""]}, allowed=[team["boss"]],
                  other_scope=[other], no_permission=[agent])  # fmt: skip
    assert_scoped(f"{base}/start", method="post", other_scope=[other], no_permission=[agent])
    assert_scoped("/api/v1/imports/999999", other_scope=[team["boss"], admin_user])
    assert client_for(other).get("/api/v1/imports").json()["count"] == 0
    assert client_for(admin_user).get("/api/v1/imports").json()["count"] == 1
    assert client_for(agent).get("/api/v1/imports").status_code == 403
    assert LeadImport.objects.get().status == ImportStatus.MAPPED and not JobRun.objects.exists()
    assert actions(lead_import) == ["lead_import.uploaded", "lead_import.mapped"]


def test_tokens_need_read_to_read_and_leads_write_to_upload(team, admin_user, media):
    def token(scopes: list[str]) -> dict[str, str]:
        _t, secret = account_services.api_token_create(actor=admin_user, user_id=team["boss"].pk, name="x",
                                                       scopes=scopes)  # fmt: skip
        return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    lead_import = uploaded(team)
    reader, writer = token(["read"]), token(["leads:write"])
    client = Client()
    assert client.get(f"/api/v1/imports/{lead_import.pk}", **reader).status_code == 200
    assert client.get(f"/api/v1/imports/{lead_import.pk}", **writer).status_code == 403
    assert put_json(client, f"/api/v1/imports/{lead_import.pk}/mapping", {"mapping": ["", "mobile"]},
                    **reader).status_code == 403  # fmt: skip
    assert post_file(client, "b.xlsx", xlsx_bytes(ROWS), **reader).status_code == 403
    assert LeadImport.objects.count() == 1
    response = post_file(client, "b.xlsx", xlsx_bytes(ROWS), **writer)
    assert response.status_code == 201 and LeadImport.objects.count() == 2
