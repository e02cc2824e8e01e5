"""Bank statement pages and the import_statement command."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from loancrm.accounts.tests.factories import make_user
from loancrm.core.models import AuditEvent
from loancrm.jobs.runner import execute_run
from loancrm.loans.models import LoanTransaction, StatementImport
from loancrm.loans.statements import services
from loancrm.loans.tests.factories import make_customer, make_loan, set_business_date
from loancrm.loans.tests.statement_factories import csv_file, day, make_channel

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def operator(org):
    return make_user("ops1", role="operations", unit=org.hq)


@pytest.fixture
def channel():
    return make_channel("ICBC")


@pytest.fixture
def loan(operator):
    booked = make_loan(make_customer(), actor=operator)
    set_business_date(day("2026-03-20"))
    return booked


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def test_upload_check_start_and_report(operator, channel, loan, django_capture_on_commit_callbacks):
    client = client_for(operator)
    rows = [["T1", loan.contract_no, "8606.64", "2026-02-15", "代扣"], ["T2", "HT404", "50.00", "2026-03-01", ""],
            ["T3", "", "12.00", "2026-03-01", "=HYPERLINK(1)"]]  # fmt: skip
    # upload: the statement waits, with its first lines shown
    response = client.post(reverse("loans:statement_new"), {"channel": channel.pk, "file": csv_file(rows)})
    statement = StatementImport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "loans:statement_detail", args=[statement.pk]
    )
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="preview"' in page and "HT404" in page and 'data-testid="start-posting"' in page
    assert LoanTransaction.objects.filter(source="bank_file").count() == 0
    # start: the job runs after the commit (immediate task backend in tests)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("loans:statement_start", args=[statement.pk]))
    assert response.status_code == 302
    statement.refresh_from_db()
    assert (statement.status, statement.matched, statement.unmatched) == ("done", 1, 2)
    page = client.get(reverse("loans:statement_detail", args=[statement.pk])).content.decode()
    assert 'data-testid="count-matched">1<' in page and 'data-testid="count-unmatched">2<' in page
    assert "8,606.64" in page and 'data-testid="lines-table"' in page
    filtered = client.get(reverse("loans:statement_detail", args=[statement.pk]), {"result": "unmatched"})
    assert filtered.content.decode().count('data-result="unmatched"') == 2
    assert 'data-result="matched"' not in filtered.content.decode()
    # the htmx poll of a finished statement asks the page to reload
    poll = client.get(reverse("loans:statement_detail", args=[statement.pk]), HTTP_HX_REQUEST="true")
    assert poll["HX-Refresh"] == "true" and 'id="statement-progress"' in poll.content.decode()
    # the list shows it
    listing = client.get(reverse("loans:statement_list"), {"status": "done"}).content.decode()
    assert f'href="{reverse("loans:statement_detail", args=[statement.pk])}"' in listing


def test_the_unmatched_lines_export_escapes_formulas_and_is_audited(operator, channel, loan):
    from openpyxl import load_workbook

    rows = [["T1", loan.contract_no, "1.00", "2026-03-01", ""], ["T2", "", "12.00", "2026-03-01", "=1+1"],
            ["+T3", "", "13.00", "2026-03-01", "@SUM(A1)"]]  # fmt: skip
    statement = services.statement_upload(actor=operator, upload=csv_file(rows), channel_id=channel.pk)
    statement = services.statement_start(actor=operator, statement_id=statement.pk, enqueue=False)
    execute_run(statement.job_run_id)
    response = client_for(operator).get(reverse("loans:statement_export", args=[statement.pk]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert len(values[0]) == 8  # line, bank txn id, contract, memo, amount, date, result, reason
    assert [row[:4] for row in values[1:]] == [[3, "T2", None, "'=1+1"], [4, "'+T3", None, "'@SUM(A1)"]]
    assert AuditEvent.objects.filter(
        action="data.exported", data__export=f"statement-{statement.pk}-unmatched"
    ).exists()


def test_only_operators_upload_and_narrow_viewers_see_no_statement(operator, channel, loan, org):
    statement = services.statement_upload(actor=operator, upload=csv_file([["T1", "HT1", "1.00", "2026-03-01", ""]]),
                                          channel_id=channel.pk)  # fmt: skip
    agent = make_user("agent", role="sales_agent", unit=org.bj_team1)
    assert client_for(agent).get(reverse("loans:statement_new")).status_code == 403
    refused = client_for(agent).post(reverse("loans:statement_new"), {"channel": channel.pk,
                                     "file": csv_file([["T9", "HT1", "1.00", "2026-03-01", ""]])})  # fmt: skip
    assert refused.status_code == 403 and StatementImport.objects.count() == 1
    assert client_for(agent).get(reverse("loans:statement_detail", args=[statement.pk])).status_code == 404
    assert "HT1" not in client_for(agent).get(reverse("loans:statement_list")).content.decode()
    assert client_for(agent).post(reverse("loans:statement_start", args=[statement.pk])).status_code == 403


def test_a_refused_upload_shows_why_on_the_form(operator, channel, settings):
    bad = csv_file([["HT1", "1.00"]], headers=["合同号", "金额"])
    client = client_for(operator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(reverse("loans:statement_new"), {"channel": channel.pk, "file": bad})
    assert response.status_code == 200
    assert "No header row names these columns: bank transaction id, date." in response.content.decode()
    assert StatementImport.objects.count() == 0


def test_import_statement_command(operator, channel, loan, tmp_path):
    path = tmp_path / "bank.csv"
    path.write_bytes(csv_file([["T1", loan.contract_no, "8606.64", "2026-02-15", ""],
                               ["T2", "HT404", "1.00", "2026-02-15", ""]]).read())  # fmt: skip
    out = io.StringIO()
    call_command("import_statement", str(path), "--channel", "ICBC", "--user", operator.username, stdout=out)
    text = out.getvalue()
    assert "done: 1 posted, 8,606.64" in text and "2/2 lines" in text
    statement = StatementImport.objects.get()
    assert (statement.matched, statement.unmatched, statement.created_by) == (1, 1, operator)
    assert LoanTransaction.objects.get(source="bank_file").amount == Decimal("8606.64")
    with pytest.raises(CommandError, match="no payment channel"):
        call_command("import_statement", str(path), "--channel", "NOPE", "--user", operator.username)
    with pytest.raises(CommandError):
        call_command("import_statement", str(tmp_path / "missing.csv"), "--channel", "ICBC")
