"""Importing a portfolio file end to end: the check, booking each method with its history (exact values), customers
matched or created, every kind of rejection, idempotence, resume, refusals, the ledger afterwards, the command."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db.models import Sum
from django.utils import translation
from openpyxl import Workbook, load_workbook

from loancrm.accounts.tests.factories import make_user
from loancrm.core.errors import PermissionDenied, ValidationFailed
from loancrm.core.models import AuditEvent
from loancrm.customers.models import Customer, CustomerMobile
from loancrm.jobs.models import JobRun, JobStatus
from loancrm.jobs.runner import execute_run
from loancrm.ledger.choices import Acct
from loancrm.ledger.models import JournalEntry, JournalLine
from loancrm.loans.choices import ImportStatus, InstallmentStatus, LoanStatus, Origin, TxnKind
from loancrm.loans.models import Loan, LoanTransaction, PortfolioImport
from loancrm.loans.portfolio import job, services
from loancrm.loans.portfolio.example import HEADERS, example_rows, person_id
from loancrm.loans.portfolio.messages import error_message
from loancrm.loans.tests.factories import make_customer, make_loan, set_business_date

BUSINESS_DATE = dt.date(2026, 12, 1)
D = dt.date


def xlsx_bytes(rows: list[list[Any]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list[Any]], encoding: str = "utf-8") -> bytes:
    import csv

    buffer = io.StringIO()
    csv.writer(buffer).writerows([["" if cell is None else str(cell) for cell in row] for row in rows])
    return buffer.getvalue().encode(encoding)


def row(contract: str, name: str, id_number: str, *, mobile: Any = "", product: str = "CONSUMER",
        principal: Any = "100000", rate: Any = "6%", months: Any = 12, days: Any = "", method: str = "等额本息",
        start: Any = "2026-01-15", repaid: Any = "", last: Any = "", officer: str = "") -> list[Any]:  # fmt: skip
    return [contract, name, id_number, mobile, product, principal, rate, months, days, method, start, repaid, last,
            officer]  # fmt: skip


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"


@pytest.fixture
def ops(org: Any) -> Any:
    set_business_date(BUSINESS_DATE)
    return make_user("ops1", role="operations", unit=org.hq)


def upload(actor: Any, rows: list[list[Any]], name: str = "存量.xlsx", content: bytes | None = None) -> PortfolioImport:
    data = content if content is not None else (xlsx_bytes(rows) if name.endswith(".xlsx") else csv_bytes(rows))
    return services.portfolio_upload(actor=actor, upload=SimpleUploadedFile(name, data))


def run(actor: Any, imp: PortfolioImport) -> PortfolioImport:
    imp = services.portfolio_start(actor=actor, import_id=imp.pk, enqueue=False)
    assert execute_run(imp.job_run_id) == JobStatus.SUCCEEDED
    return PortfolioImport.objects.get(pk=imp.pk)


def codes(imp: PortfolioImport) -> dict[int, list[tuple[str, str]]]:
    found: dict[int, list[tuple[str, str]]] = {}
    for error in imp.errors:
        found.setdefault(error["row"], []).append((error["field"], error["code"]))
    return found


def paid_periods(loan: Loan) -> list[int]:
    return list(loan.installments.filter(version=loan.schedule_version, status=InstallmentStatus.PAID)
                .order_by("period").values_list("period", flat=True))  # fmt: skip


def assert_ledger_consistent() -> None:
    """What ``manage.py ledger_check`` verifies (not on main yet): every entry balances, and each loan's principal
    receivable and customer advance equal its ``principal_outstanding`` and ``advance_balance``."""
    for entry in JournalEntry.objects.annotate(dr=Sum("lines__debit"), cr=Sum("lines__credit")):
        assert entry.dr == entry.cr, f"entry {entry.pk} does not balance"
    for loan in Loan.objects.all():
        lines = JournalLine.objects.filter(loan_id=loan.pk)
        principal = lines.filter(account__code=Acct.PRINCIPAL).aggregate(d=Sum("debit"), c=Sum("credit"))
        advance = lines.filter(account__code=Acct.ADVANCE).aggregate(d=Sum("debit"), c=Sum("credit"))
        assert principal["d"] - principal["c"] == loan.principal_outstanding, loan.contract_no
        assert (advance["c"] or 0) - (advance["d"] or 0) == loan.advance_balance, loan.contract_no


# --- the reference loan -------------------------------------------------------------------------------------------


def test_the_reference_loan_replays_three_instalments_on_their_due_dates(ops):
    # given 100,000 / 12 / 6 % equal instalment from 2026-01-15 with 25,819.92 repaid, on business date 2026-04-15
    set_business_date(D(2026, 4, 15))
    imp = upload(ops, [HEADERS, row("HT0001", "张三", person_id(1), repaid="25819.92")])
    # when it is imported
    imp = run(ops, imp)
    # then periods 1–3 are paid on their due dates and 75,558.28 of principal is outstanding
    loan = Loan.objects.get(contract_no="HT0001")
    assert (imp.booked, imp.skipped, imp.rejected, imp.status) == (1, 0, 0, ImportStatus.DONE)
    assert (loan.origin, loan.status, loan.principal_outstanding, loan.advance_balance) == (
        Origin.MIGRATED, LoanStatus.ACTIVE, Decimal("75558.28"), Decimal("0.00"),
    )  # fmt: skip
    assert paid_periods(loan) == [1, 2, 3]
    assert list(loan.installments.filter(status=InstallmentStatus.PAID).values_list("paid_on", flat=True)) == [
        D(2026, 2, 15), D(2026, 3, 15), D(2026, 4, 15),
    ]  # fmt: skip
    repayments = LoanTransaction.objects.filter(loan=loan, kind=TxnKind.REPAYMENT).order_by("value_date")
    assert [(t.value_date, t.amount, t.principal, t.interest) for t in repayments] == [
        (D(2026, 2, 15), Decimal("8606.64"), Decimal("8106.64"), Decimal("500.00")),
        (D(2026, 3, 15), Decimal("8606.64"), Decimal("8147.17"), Decimal("459.47")),
        (D(2026, 4, 15), Decimal("8606.64"), Decimal("8187.91"), Decimal("418.73")),
    ]  # fmt: skip
    assert [r.reference for r in repayments] == [f"{imp} r2"] * 3
    assert LoanTransaction.objects.filter(loan=loan, kind=TxnKind.MIGRATION).get().amount == Decimal("100000.00")
    assert_ledger_consistent()


# --- a mixed file: every method, matching, every rejection --------------------------------------------------------


@pytest.fixture
def mixed(ops, org):
    officer = make_user("officer1", role="sales_agent", unit=org.bj_team1)
    make_user("gone", role="sales_agent", unit=org.bj_team1, is_active=False)
    old = make_customer(name="老客户")
    Customer.objects.filter(pk=old.pk).update(number="C00000077")
    old = Customer.objects.get(pk=old.pk)
    old.id_number = person_id(70)
    old.save()
    CustomerMobile.objects.create(customer=old, mobile="13900000077", is_primary=True)
    make_loan(customer=old, contract_no="HT-SAME", principal=Decimal("5000.00"), start_date=D(2026, 6, 1))
    make_loan(customer=old, contract_no="HT-OTHER", principal=Decimal("5000.00"), start_date=D(2026, 6, 1))
    rows = [
        HEADERS,
        row("HT-EI", "张三", person_id(1), mobile="13800000001", repaid=Decimal("25819.92"), officer="officer1"),  # 2
        row(
            "HT-EP",
            "李四",
            person_id(2),
            mobile="138 0000 0002",
            principal=60000,
            rate="0.072",
            method="等额本金",
            start=D(2025, 11, 20),
            repaid="30,000.00",
        ),  # 3
        row(
            "HT-IO",
            "王五",
            person_id(3),
            product="SME",
            principal=200000,
            rate="8.5%",
            months=6,
            method="先息后本",
            start="2026/02/01",
            repaid="2833.34",
            last=D(2026, 3, 1),
        ),  # 4
        row(
            "HT-BU",
            "赵六",
            person_id(4),
            product="SME",
            principal=50000,
            rate="10%",
            months="",
            days=90,
            method="到期还本付息",
            start=D(2026, 3, 10),
        ),  # 5
        row(
            "HT-EI2",
            "张 三",
            person_id(1),
            mobile="13800000001",
            principal=20000,
            months=6,
            start=D(2026, 2, 5),
            repaid=1000,
            last=D(2026, 3, 20),
        ),  # 6 the same new person again
        row("HT-OLDC", "老客户", person_id(70), principal=8000, months=4, start=D(2026, 5, 1)),  # 7 existing customer
        row("HT-BAD1", "冒名", person_id(70), principal=8000),  # 8 ID of an existing customer, another name
        row("HT-EI", "张三", person_id(1)),  # 9 contract number twice in the file
        row(
            "HT-BAD2", "孙八", person_id(8)[:-1] + "0" if person_id(8)[-1] != "0" else person_id(8)[:-1] + "1", rate="6"
        ),  # 10 two cell errors
        row("HT-BAD3", "周九", person_id(9), mobile="13900000077"),  # 11 another customer's main mobile
        row("HT-BAD4", "吴十", person_id(10), officer="gone"),  # 12 inactive officer
        row("HT-OTHER", "老客户", person_id(70), principal=9999),  # 13 booked under that number with other terms
        row("HT-SAME", "老客户", person_id(70), principal=5000, start=D(2026, 6, 1)),  # 14 already booked: skipped
        row("HT-BAD5", "张三丰", person_id(1)),  # 15 a new person of this file under another name
        row("HT-BAD6", "郑十一", person_id(11), mobile="13800000002"),  # 16 row 3's new person's mobile
    ]
    return {"rows": rows, "officer": officer, "old": old}


EXPECTED_ERRORS = {
    8: [("customer_name", "customer_name_mismatch")],
    9: [("contract_no", "contract_twice")],
    10: [("id_number", "id_check_digit"), ("annual_rate", "rate_ambiguous")],
    11: [("mobile", "mobile_taken")],
    12: [("officer", "officer_unknown")],
    13: [("contract_no", "contract_conflict")],
    15: [("customer_name", "customer_name_mismatch_file")],
    16: [("mobile", "mobile_taken_file")],
}


def test_the_check_at_upload_counts_what_the_run_then_does(ops, mixed):
    imp = upload(ops, mixed["rows"])
    assert (imp.total_rows, imp.checked_valid, imp.checked_invalid, imp.checked_existing) == (15, 6, 8, 1)
    assert codes(imp) == EXPECTED_ERRORS
    assert Loan.objects.count() == 2 and Customer.objects.count() == 1  # the check wrote nothing
    imp = run(ops, imp)
    assert (imp.booked, imp.rejected, imp.skipped, imp.rows_done) == (6, 8, 1, 15)
    assert codes(imp) == EXPECTED_ERRORS
    with translation.override("en"):
        assert error_message(imp.errors[0]) == "This ID number belongs to customer C00000077 under another name."
        assert error_message({"code": "contract_twice", "params": {"row": 2}}) == (
            "This contract number is already in row 2 of the file."
        )


def test_each_method_is_booked_with_its_repayments_to_date(ops, mixed):
    run(ops, upload(ops, mixed["rows"]))
    loans = {loan.contract_no: loan for loan in Loan.objects.filter(origin=Origin.MIGRATED)}
    assert sorted(loans) == ["HT-BU", "HT-EI", "HT-EI2", "HT-EP", "HT-IO", "HT-OLDC"]
    # equal instalment: the reference loan
    assert (loans["HT-EI"].principal_outstanding, paid_periods(loans["HT-EI"])) == (Decimal("75558.28"), [1, 2, 3])
    # equal principal: five instalments (5,360 … 5,240) and 3,500 on the sixth's due date: 210 interest, 3,290 principal
    ep = loans["HT-EP"]
    assert (ep.method, ep.principal_outstanding, paid_periods(ep)) == ("equal_principal", Decimal("31710.00"),
                                                                        [1, 2, 3, 4, 5])  # fmt: skip
    sixth = ep.installments.get(period=6)
    assert (sixth.interest_paid, sixth.principal_paid, sixth.status) == (
        Decimal("210.00"), Decimal("3290.00"), InstallmentStatus.OVERDUE,
    )  # fmt: skip
    # interest only: two interest payments of 1,416.67, the second ahead of its due date, on the last repayment date
    io_loan = loans["HT-IO"]
    assert (io_loan.principal_outstanding, paid_periods(io_loan)) == (Decimal("200000.00"), [1, 2])
    assert list(io_loan.installments.filter(period__lte=2).values_list("paid_on", flat=True)) == [D(2026, 3, 1)] * 2
    # bullet in days: matures 90 days after disbursement, 1,250 interest, nothing repaid
    bullet = loans["HT-BU"]
    assert (bullet.maturity_date, bullet.term_months, bullet.principal_outstanding) == (
        D(2026, 6, 8), 3, Decimal("50000.00"),
    )  # fmt: skip
    assert bullet.installments.get().interest_due == Decimal("1250.00")
    # a partial repayment on the last repayment date: 1,000 to the first instalment, interest first
    first = loans["HT-EI2"].installments.get(period=1)
    assert (first.interest_paid, first.principal_paid, loans["HT-EI2"].principal_outstanding) == (
        Decimal("100.00"), Decimal("900.00"), Decimal("19100.00"),
    )  # fmt: skip
    assert_ledger_consistent()


def test_customers_are_matched_by_id_number_or_created_encrypted(ops, mixed):
    run(ops, upload(ops, mixed["rows"]))
    loans = {loan.contract_no: loan for loan in Loan.objects.select_related("customer")}
    # the existing customer is matched, not changed
    assert loans["HT-OLDC"].customer_id == mixed["old"].pk
    # one new customer per new person: 张三 (two loans), 李四, 王五, 赵六
    assert Customer.objects.count() == 5
    zhang = loans["HT-EI"].customer
    assert loans["HT-EI2"].customer_id == zhang.pk
    assert (zhang.name, zhang.number, zhang.owner, zhang.birth_date, zhang.gender) == (
        "张三", f"C{zhang.pk:08d}", mixed["officer"], D(1980, 1, 1), "M",
    )  # fmt: skip
    assert (loans["HT-EI"].officer, loans["HT-EI"].org_unit) == (mixed["officer"], mixed["officer"].org_unit)
    assert loans["HT-EP"].customer.owner is None and loans["HT-EP"].officer is None
    assert zhang.mobiles.get().mobile == "13800000001"
    assert loans["HT-EP"].customer.mobiles.get().mobile == "13800000002"
    assert not loans["HT-BU"].customer.mobiles.exists()
    from django.db import connection

    with connection.cursor() as cursor:  # stored encrypted, found through the blind index
        cursor.execute("SELECT id_number FROM customers_customer WHERE id = %s", [zhang.pk])
        assert person_id(1) not in cursor.fetchone()[0]
    created = AuditEvent.objects.filter(action="customer.created")
    assert created.count() == 4 and all(e.data["source"] == "portfolio_import" for e in created)
    assert person_id(1) not in str(list(AuditEvent.objects.values_list("data", flat=True)))


def test_running_the_same_file_again_books_nothing(ops, mixed):
    content = xlsx_bytes(mixed["rows"])  # once: openpyxl stamps the time into each workbook it writes
    first = run(ops, upload(ops, mixed["rows"], content=content))
    loans, entries = Loan.objects.count(), JournalEntry.objects.count()
    # given the identical file uploaded again
    again = upload(ops, mixed["rows"], content=content)
    assert again.file_sha256 == first.file_sha256
    assert (again.checked_valid, again.checked_existing, again.checked_invalid) == (0, 7, 8)
    # when it runs, every booked row is skipped and nothing is written
    again = run(ops, again)
    assert (again.booked, again.skipped, again.rejected) == (0, 7, 8)
    assert (Loan.objects.count(), JournalEntry.objects.count(), Customer.objects.count()) == (loans, entries, 5)


def test_a_row_the_booking_service_refuses_leaves_nothing_and_the_rest_is_booked(ops, monkeypatch):
    from loancrm.loans.errors import InvalidTerms

    real = job.loan_book

    def refuse_second(**kwargs):
        if kwargs["terms"].contract_no == "HT2":
            raise InvalidTerms(fields={"principal": ["no"]})
        return real(**kwargs)

    monkeypatch.setattr(job, "loan_book", refuse_second)
    rows = [HEADERS, *(row(f"HT{i}", f"客户{i}", person_id(i), mobile=f"1380000000{i}") for i in (1, 2, 3))]
    imp = run(ops, upload(ops, rows))
    assert (imp.booked, imp.rejected) == (2, 1)
    assert imp.errors == [{"row": 3, "field": "", "code": "booking_refused", "params": {"detail": "no"}}]
    assert sorted(Loan.objects.values_list("contract_no", flat=True)) == ["HT1", "HT3"]
    assert Customer.objects.count() == 2 and not CustomerMobile.objects.filter(customer__name="客户2").exists()


def test_a_row_a_racing_run_books_meanwhile_is_skipped_not_rejected(ops, monkeypatch):
    from loancrm.loans.portfolio.checks import RowChecker

    real = RowChecker.decide

    def decide_then_race(self, chunk):
        decisions = real(self, chunk)  # given another run books the same loan and customer after this decision
        other = make_customer(name="客户1")
        other.id_number = person_id(1)
        other.save()
        make_loan(customer=other, contract_no="HT1")
        return decisions

    imp = upload(ops, [HEADERS, row("HT1", "客户1", person_id(1)), row("HT2", "客户2", person_id(2))])
    monkeypatch.setattr(RowChecker, "decide", decide_then_race)
    imp = run(ops, imp)
    assert (imp.booked, imp.skipped, imp.rejected, imp.errors) == (1, 1, 0, [])
    assert Customer.objects.filter(name="客户1").count() == 1


def test_a_crashed_run_resumes_after_its_last_committed_chunk(ops, monkeypatch):
    monkeypatch.setattr(job, "CHUNK_SIZE", 2)
    rows = [HEADERS, *(row(f"HT{i}", f"客户{i}", person_id(i)) for i in range(1, 6)), row("HT1", "客户1", person_id(1))]
    imp = upload(ops, rows)
    real, calls = job._commit_chunk, []

    def crash_on_second(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("worker killed")
        return real(*args, **kwargs)

    monkeypatch.setattr(job, "_commit_chunk", crash_on_second)
    imp = services.portfolio_start(actor=ops, import_id=imp.pk, enqueue=False)
    assert execute_run(imp.job_run_id) == JobStatus.FAILED
    imp.refresh_from_db()
    assert (imp.status, imp.rows_done, imp.booked, Loan.objects.count()) == (ImportStatus.FAILED, 2, 2, 2)
    assert imp.failure == "RuntimeError: worker killed"
    # when resumed, it goes on from row 4 and still sees row 7 repeat row 2's contract number
    imp = services.portfolio_start(actor=ops, import_id=imp.pk, enqueue=False)
    assert JobRun.objects.get(pk=imp.job_run_id).attempt == 2
    assert execute_run(imp.job_run_id) == JobStatus.SUCCEEDED
    imp.refresh_from_db()
    assert (imp.status, imp.rows_done, imp.booked, imp.rejected) == (ImportStatus.DONE, 6, 5, 1)
    assert codes(imp) == {7: [("contract_no", "contract_twice")]}
    assert Loan.objects.count() == 5
    actions = list(AuditEvent.objects.filter(action__startswith="portfolio_import").order_by("id")
                   .values_list("action", flat=True))  # fmt: skip
    assert actions == ["portfolio_import.uploaded", "portfolio_import.started", "portfolio_import.failed",
                       "portfolio_import.started", "portfolio_import.finished"]  # fmt: skip


def test_a_gbk_csv_with_chinese_headers_is_read(ops):
    rows = [HEADERS, row("HT-CSV", "张三", person_id(1), start="2026-01-15", repaid="25819.92")]
    imp = run(ops, upload(ops, rows, name="存量.csv", content=csv_bytes(rows, "gb18030")))
    assert (imp.encoding, imp.booked) == ("gb18030", 1)
    assert Loan.objects.get().principal_outstanding == Decimal("75558.28")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("a.pdf", b"%PDF-1.4", "Upload an Excel (.xlsx) or CSV (.csv) file."),
        ("a.xlsx", b"not a zip", "The file's content does not match its .xlsx extension."),
        ("a.csv", b"", "The file is empty."),
        ("a.csv", "合同号,客户姓名\nHT1,张三\n".encode(), "Columns missing: ID number, Product code, Principal, Annual "
         "rate, Repayment method, Disbursement date, Term (months). Use the template's headers."),
        ("a.csv", (",".join(HEADERS) + "\n").encode(), "The file has no data rows under the header row."),
    ],
)  # fmt: skip
def test_a_refused_upload_writes_nothing(ops, media, name, content, message):
    with translation.override("en"), pytest.raises(ValidationFailed) as refused:
        services.portfolio_upload(actor=ops, upload=SimpleUploadedFile(name, content))
    with translation.override("en"):
        assert [str(m) for m in refused.value.fields["file"]] == [message]
    assert not PortfolioImport.objects.exists()
    assert not list((media / "portfolio").glob("*")) if (media / "portfolio").exists() else True


def test_only_a_user_who_may_book_loans_imports(org, ops):
    agent = make_user("agent1", role="sales_agent", unit=org.bj_team1)
    with pytest.raises(PermissionDenied):
        upload(agent, example_rows())
    imp = upload(ops, example_rows())
    with pytest.raises(PermissionDenied):
        services.portfolio_start(actor=agent, import_id=imp.pk)
    assert PortfolioImport.objects.get().status == ImportStatus.PENDING and not JobRun.objects.exists()


def test_a_done_import_cannot_start_again(ops):
    imp = run(ops, upload(ops, example_rows()))
    from loancrm.core.errors import InvalidTransition

    with pytest.raises(InvalidTransition):
        services.portfolio_start(actor=ops, import_id=imp.pk)


# --- the command --------------------------------------------------------------------------------------------------


def _file(tmp_path, rows, name="portfolio.xlsx"):
    path = tmp_path / name
    path.write_bytes(xlsx_bytes(rows))
    return path


def test_the_command_books_prints_a_summary_and_fails_on_rejected_rows(ops, tmp_path, capsys):
    rows = [*example_rows(), row("HT-X", "坏", "123", rate="6")]
    path = _file(tmp_path, rows)
    with pytest.raises(CommandError, match="1 rows rejected"):
        call_command("import_loans", str(path), "--user", "ops1", "--errors", str(tmp_path / "errors.xlsx"))
    out = capsys.readouterr().out
    assert "7 rows checked" in out and "6 to book, 0 already booked, 1 invalid" in out
    assert "booked 6, skipped 0, rejected 1 of 7 rows" in out and "rows/s" in out
    assert "row 8 HT-X" in out
    sheet = load_workbook(tmp_path / "errors.xlsx").active
    assert [r[:3] for r in sheet.iter_rows(values_only=True)][1:] == [(8, "HT-X", "身份证号"), (8, "HT-X", "年利率")]
    assert Loan.objects.count() == 6
    assert PortfolioImport.objects.get().created_by == ops
    # the second run of the same file books nothing and says it saw the file before
    with pytest.raises(CommandError, match="1 rows rejected"):
        call_command("import_loans", str(path))
    out = capsys.readouterr().out
    assert "the same file was imported as P" in out and "booked 0, skipped 6, rejected 1" in out
    assert Loan.objects.count() == 6


def test_the_dry_run_checks_and_writes_nothing(ops, tmp_path, capsys):
    path = _file(tmp_path, example_rows())
    call_command("import_loans", str(path), "--dry-run")
    assert "dry run: 6 rows checked" in capsys.readouterr().out
    assert not PortfolioImport.objects.exists() and not Loan.objects.exists() and not Customer.objects.exists()
    with pytest.raises(CommandError, match="1 rows would be rejected"):
        call_command("import_loans", str(_file(tmp_path, [*example_rows(), row("", "", "")], "b.xlsx")), "--dry-run")


@pytest.mark.parametrize("name", ["portfolio_import.xlsx", "portfolio_import.csv"])
def test_the_committed_example_file_books_cleanly(ops, name):
    from pathlib import Path

    content = (Path(__file__).resolve().parents[3] / "docs" / "examples" / name).read_bytes()
    imp = run(ops, upload(ops, [], name=name, content=content))
    assert (imp.total_rows, imp.booked, imp.skipped, imp.rejected) == (6, 6, 0, 0)
    assert Customer.objects.count() == 5
    assert Loan.objects.get(contract_no="HT2026000001").principal_outstanding == Decimal("75558.28")
    assert_ledger_consistent()
