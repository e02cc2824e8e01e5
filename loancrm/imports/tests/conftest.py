"""Fixtures for lead imports: private media in a temporary folder, a channel with agents, file builders."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from loancrm.accounts.tests.factories import make_user
from loancrm.core.china_ids import id_check_digit
from loancrm.leads.models import Channel

HEADERS = ["客户姓名", "手机号码", "身份证号", "所在城市", "意向金额", "备注"]


def valid_id(first17: str) -> str:
    return first17 + id_check_digit(first17)


def xlsx_bytes(rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"


@pytest.fixture
def team(org: Any) -> Any:
    agents = [make_user(f"agent{i}", role="sales_agent", unit=org.bj_team1) for i in range(2)]
    channel = Channel.objects.create(code="baidu", name="百度信息流", team=org.bj_team1)
    boss = make_user("lead1", role="sales_lead", unit=org.bj_team1)
    return {"agents": agents, "channel": channel, "boss": boss}
