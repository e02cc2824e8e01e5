"""Audit viewer (filters, before/after) and the export module (permission, masking, escaping, audit)."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client, RequestFactory
from openpyxl import load_workbook

from loancrm.accounts.tests.factories import make_user
from loancrm.core.audit import audit_event
from loancrm.core.errors import PermissionDenied, ValidationFailed
from loancrm.core.exports import Column, escape_cell, export_response
from loancrm.core.models import AuditEvent


@pytest.fixture
def compliance(org):
    client = Client()
    client.force_login(make_user("comp", role="compliance_officer", unit=org.hq))
    return client


@pytest.mark.django_db
def test_viewer_filters_by_actor_action_object_and_date(org, compliance, admin_user):
    audit_event(admin_user, "user.updated", org.bj, {"before": {"name": "旧"}, "after": {"name": "新"}})
    audit_event(None, "calendar.day_added", None, {"after": {"date": "2026-11-24"}})
    page = compliance.get("/audit/?actor=admin1&action=user.")
    rows = page.context["listing"].rows
    assert [e.action for e in rows] == ["user.updated"]
    assert "修改用户" in page.content.decode()
    by_object = compliance.get(f"/audit/?target_type=accounts.orgunit&target_id={org.bj.pk}").context["listing"].rows
    assert len(by_object) == 1
    assert compliance.get("/audit/?date_from=2000-01-01&date_to=2000-01-02").context["listing"].rows == []


@pytest.mark.django_db
def test_detail_shows_before_and_after(org, compliance, admin_user):
    event = audit_event(
        admin_user, "user.updated", org.bj, {"before": {"name": "旧", "x": 1}, "after": {"name": "新", "x": 1}}
    )
    html = compliance.get(f"/audit/{event.pk}/").content.decode()
    assert "旧" in html and "新" in html and 'class="table-warning"' in html


@pytest.mark.django_db
def test_export_is_audited_and_escapes_formulas(org, compliance):
    audit_event('=HYPERLINK("http://evil")', "auth.login_failed")
    response = compliance.get("/audit/export/?format=csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][0] == "序号" and any(row[2].startswith("'=HYPERLINK") for row in rows[1:])
    export = AuditEvent.objects.filter(action="data.exported").get()
    assert export.data["export"] == "audit-log" and export.data["rows"] == 1 and export.data["format"] == "csv"
    xlsx = compliance.get("/audit/export/?format=xlsx")
    workbook = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))
    assert workbook.active.max_row == 4  # header, failed login, and both exports (each audited before it reads)


@pytest.mark.django_db
def test_viewer_and_export_need_the_audit_permission(org):
    client = Client()
    client.force_login(make_user("agent", role="sales_agent", unit=org.bj_team1))
    assert client.get("/audit/").status_code == 403
    assert client.get("/audit/export/").status_code == 403
    assert not AuditEvent.objects.filter(action="data.exported").exists()


@pytest.mark.parametrize(
    ("value", "escaped"),
    [("=1+1", "'=1+1"), ("+86", "'+86"), ("-5", "'-5"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("正常", "正常"),
     (-5, -5), (None, "")],
)  # fmt: skip
def test_escape_cell(value, escaped):
    assert escape_cell(value) == escaped


@pytest.mark.django_db
def test_export_masks_pii_unless_the_user_may_reveal(org):
    reviewer = make_user("rev", role="credit_reviewer", unit=org.bj_team1)
    lead = make_user("lead", role="sales_lead", unit=org.bj_team1)
    columns = [Column("手机号", lambda r: r["mobile"], pii_kind="mobile")]
    rows = [{"mobile": "13812345678"}]

    def exported(user):
        response = export_response(actor=user, name="t", columns=columns, rows=iter(rows), row_count=1, fmt="csv",
                                   request=RequestFactory().get("/"))  # fmt: skip
        return b"".join(response.streaming_content).decode("utf-8-sig")

    assert "138****5678" in exported(lead)
    with pytest.raises(PermissionDenied):
        exported(reviewer)
    reviewer.groups.add(lead.groups.get())
    from loancrm.accounts.models import User

    assert "13812345678" in exported(User.objects.get(pk=reviewer.pk))


@pytest.mark.django_db
def test_export_size_and_format_limits(org, monkeypatch):
    lead = make_user("lead", role="sales_lead", unit=org.bj_team1)
    monkeypatch.setattr("loancrm.core.exports.MAX_ROWS", 10)
    with pytest.raises(ValidationFailed):
        export_response(actor=lead, name="t", columns=[], rows=iter([]), row_count=11, fmt="csv")
    with pytest.raises(ValidationFailed):
        export_response(actor=lead, name="t", columns=[], rows=iter([]), row_count=1, fmt="pdf")
    assert not AuditEvent.objects.filter(action="data.exported").exists()
