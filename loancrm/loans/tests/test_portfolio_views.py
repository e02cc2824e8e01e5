"""Portfolio import pages: upload → check and preview → start → progress → result, the errors download (escaped),
the template, the job page, refusals and permissions."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from openpyxl import load_workbook

from loancrm.accounts.tests.factories import make_user
from loancrm.core.testing.access import assert_scoped
from loancrm.loans.choices import ImportStatus
from loancrm.loans.models import Loan, PortfolioImport
from loancrm.loans.portfolio.example import HEADERS, example_rows, person_id
from loancrm.loans.tests.factories import set_business_date
from loancrm.loans.tests.test_portfolio_import import BUSINESS_DATE, row, upload, xlsx_bytes

ROWS = [
    HEADERS,
    row("HT-1", "张三", person_id(1), mobile="13800000001", repaid="25819.92"),
    row('=HYPERLINK("x")', "李四", person_id(2), rate="6"),
    row("HT-3", "王五", person_id(3), method="先息后本"),
]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def ops(org):
    set_business_date(BUSINESS_DATE)
    return make_user("ops1", role="operations", unit=org.hq)


def _client(user, language="en"):
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def test_upload_check_start_progress_and_result_through_the_pages(ops, django_capture_on_commit_callbacks):
    client = _client(ops)
    assert client.get("/loans/portfolio/new/").status_code == 200
    # upload: the file is checked and the preview shows each row, masked, with its cell errors
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post("/loans/portfolio/new/", {"file": SimpleUploadedFile("存量.xlsx", xlsx_bytes(ROWS))})
    imp = PortfolioImport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/loans/portfolio/{imp.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="check-valid">2<' in page and 'data-testid="check-invalid">1<' in page
    assert "138****0001" in page and person_id(1) not in page and "110105********" in page
    assert "2026-01-15" in page and "46037" not in page and "100,000.00" in page and "6.00%" in page  # as read
    assert 'data-outcome="reject"' in page and "A rate above 1 is ambiguous" in page
    assert page.count('data-testid="cell-error"') == 1 and "Download 1 error (.xlsx)" in page
    assert not Loan.objects.exists()
    # start: the background job books the valid rows
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/loans/portfolio/{imp.pk}/start/")
    assert response["Location"] == f"/loans/portfolio/{imp.pk}/"
    imp.refresh_from_db()
    assert (imp.status, imp.booked, imp.rejected, imp.skipped) == (ImportStatus.DONE, 2, 1, 0)
    # result: the fragment no longer polls; the job page shows the same run
    fragment = client.get(f"/loans/portfolio/{imp.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="count-booked">2<' in fragment and "hx-trigger" not in fragment
    assert f'href="/jobs/runs/{imp.job_run_id}/"' in fragment and "6/6" not in fragment and "3/3 · 100%" in fragment
    job_page = client.get(f"/jobs/runs/{imp.job_run_id}/").content.decode()
    assert "3 / 3" in job_page or "3/3" in job_page
    assert "存量.xlsx" in client.get("/loans/portfolio/").content.decode()
    assert Loan.objects.get(contract_no="HT-1").principal_outstanding == Decimal("75558.28")


def test_the_errors_file_names_row_column_and_message_and_escapes_formulas(ops):
    imp = upload(ops, ROWS)
    download = _client(ops).get(f"/loans/portfolio/{imp.pk}/errors.xlsx")
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    assert list(sheet.iter_rows(values_only=True)) == [
        ("Row", "Contract number", "Column", "Field", "Error"),
        (3, "'=HYPERLINK(\"x\")", "年利率", "Annual rate",
         "A rate above 1 is ambiguous: write it as a percentage (6%) or a fraction (0.06)."),
    ]  # fmt: skip


def test_the_page_polls_while_the_import_runs(ops):
    imp = upload(ops, ROWS)
    from loancrm.jobs.models import JobRun, JobStatus
    from loancrm.jobs.services import job_start

    run = job_start(name="loans.portfolio_import", run_key=f"portfolio-{imp.pk}", enqueue=False)
    PortfolioImport.objects.filter(pk=imp.pk).update(status=ImportStatus.RUNNING, rows_done=1, job_run=run)
    client = _client(ops)
    fragment = client.get(f"/loans/portfolio/{imp.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 2s"' in fragment and "1/3 · 33%" in fragment and "resume-import" not in fragment
    assert 'hx-trigger="every 2s"' in client.get("/loans/portfolio/").content.decode()
    # a run whose worker died (its job run failed) stops polling and offers to resume
    JobRun.objects.filter(pk=run.pk).update(status=JobStatus.FAILED)
    fragment = client.get(f"/loans/portfolio/{imp.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 2s"' not in fragment and "resume-import" in fragment


def test_the_same_file_uploaded_again_is_recognised(ops):
    content = xlsx_bytes(ROWS)  # once: openpyxl stamps the time into each workbook it writes
    first = upload(ops, ROWS, content=content)
    second = upload(ops, ROWS, content=content)
    page = _client(ops).get(f"/loans/portfolio/{second.pk}/").content.decode()
    assert 'data-testid="same-file"' in page and f'href="/loans/portfolio/{first.pk}/"' in page


def test_a_refused_upload_shows_the_reason_and_writes_nothing(ops):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = _client(ops).post(
        "/loans/portfolio/new/", {"file": SimpleUploadedFile("a.csv", "合同号\nHT1\n".encode())}
    )
    assert response.status_code == 200 and "Columns missing: Customer name, ID number" in response.content.decode()
    assert not PortfolioImport.objects.exists()


def test_the_template_is_the_example_file(ops):
    response = _client(ops).get("/loans/portfolio/template.xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS and len(rows) == len(example_rows())


@pytest.mark.parametrize("path", ["", "errors.xlsx"])
def test_only_users_who_may_book_loans_see_imports(ops, org, admin_user, path):
    imp = upload(ops, ROWS)
    agent = make_user("agent1", role="sales_agent", unit=org.bj_team1)
    collector = make_user("coll1", role="collector", unit=org.bj_team1)
    assert_scoped(f"/loans/portfolio/{imp.pk}/{path}", allowed=[ops, admin_user], no_permission=[agent, collector])
    assert _client(ops).get("/loans/portfolio/999999/").status_code == 404


def test_starting_needs_the_permission_and_a_post(ops, org):
    imp = upload(ops, ROWS)
    agent = make_user("agent1", role="sales_agent", unit=org.bj_team1)
    assert _client(agent).post(f"/loans/portfolio/{imp.pk}/start/").status_code == 403
    assert _client(ops).get(f"/loans/portfolio/{imp.pk}/start/").status_code == 405
    imp.refresh_from_db()
    assert imp.status == ImportStatus.PENDING and imp.job_run is None


def test_the_nav_item_is_for_users_who_may_book_loans(ops, org):
    from loancrm.loans.portfolio_nav import NAV_ITEMS

    agent = make_user("agent1", role="sales_agent", unit=org.bj_team1)
    (item,) = NAV_ITEMS
    assert item.allowed(ops) and not item.allowed(agent)
