"""Import pages: upload, mapping with preview, start, progress fragment, list, download; scope and refusals."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from loancrm.accounts.tests.factories import make_user
from loancrm.core.testing.access import assert_scoped
from loancrm.imports import services
from loancrm.imports.models import ImportStatus, LeadImport
from loancrm.imports.tests.conftest import upload, xlsx_bytes
from loancrm.leads.models import Lead

ROWS = [["姓名", "电话", "备注"], ["张三", "13800000001", "x"], ["李四", "bad", "y"], ["王五", "13800000003", "z"]]


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_upload_map_preview_start_and_download_through_the_pages(team, django_capture_on_commit_callbacks):
    client = _client(team["boss"])
    assert client.get("/imports/new/").status_code == 200
    response = client.post(
        "/imports/new/",
        {"file": upload("名单.xlsx", xlsx_bytes(ROWS)), "channel": team["channel"].pk, "campaign": "春季"},
    )
    lead_import = LeadImport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/imports/{lead_import.pk}/"
    page = client.get(f"/imports/{lead_import.pk}/").content.decode()
    assert "前 10 行预览" in page and "138****0001" in page and "请输入有效的中国大陆手机号" in page
    response = client.post(f"/imports/{lead_import.pk}/mapping/", {"mapping": ["name", "", ""], "action": "save"})
    assert "请将一列映射为手机号" in client.get(response["Location"]).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/imports/{lead_import.pk}/mapping/", {"mapping": ["name", "mobile", ""], "action": "start"})
    lead_import.refresh_from_db()
    assert (lead_import.status, lead_import.created_count, lead_import.invalid_count) == (ImportStatus.DONE, 2, 1)
    fragment = client.get(f"/imports/{lead_import.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="count-created">2<' in fragment and "hx-trigger" not in fragment
    assert "名单.xlsx" in client.get("/imports/").content.decode()
    download = client.get(f"/imports/{lead_import.pk}/rejected.xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    assert [row[:2] for row in sheet.iter_rows(values_only=True)][1:] == [(3, "手机号：请输入有效的中国大陆手机号。")]
    assert set(Lead.objects.values_list("campaign", flat=True)) == {"春季"}


def test_a_refused_upload_shows_the_reason_and_writes_nothing(team):
    response = _client(team["boss"]).post(
        "/imports/new/", {"file": upload("名单.pdf", b"%PDF-1.4"), "channel": team["channel"].pk}
    )
    assert response.status_code == 200 and "请上传 Excel" in response.content.decode()
    assert not LeadImport.objects.exists()


def test_the_page_polls_while_the_import_runs(team):
    lead_import = services.import_upload(
        actor=team["boss"], upload=upload("a.xlsx", xlsx_bytes(ROWS)), channel_id=team["channel"].pk
    )
    LeadImport.objects.filter(pk=lead_import.pk).update(status=ImportStatus.RUNNING, rows_done=1)
    client = _client(team["boss"])
    fragment = client.get(f"/imports/{lead_import.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 2s"' in fragment and "1/3 · 33%" in fragment
    assert 'hx-trigger="every 2s"' in client.get("/imports/").content.decode()


@pytest.mark.parametrize("path", ["", "rejected.xlsx"])
def test_another_teams_sales_lead_gets_404(team, org, admin_user, path):
    lead_import = services.import_upload(
        actor=team["boss"], upload=upload("a.xlsx", xlsx_bytes(ROWS)), channel_id=team["channel"].pk
    )
    other = make_user("lead2", role="sales_lead", unit=org.bj_team2)
    agent = team["agents"][0]
    assert_scoped(
        f"/imports/{lead_import.pk}/{path}", allowed=[team["boss"], admin_user], other_scope=[other],
        no_permission=[agent],
    )  # fmt: skip
    assert_scoped(
        f"/imports/{lead_import.pk}/mapping/", method="post", data={"mapping": ["name", "mobile", ""]},
        allowed=[team["boss"]], other_scope=[other], no_permission=[agent],
    )  # fmt: skip
    assert list(_client(other).get("/imports/").context["listing"].rows) == []
