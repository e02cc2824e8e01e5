"""Bank statement files: upload checks, classification, reconciliation, idempotence, chunks and resume."""

from __future__ import annotations

from decimal import Decimal

import pytest

from loancrm.accounts.tests.factories import make_user
from loancrm.core.errors import PermissionDenied, ValidationFailed
from loancrm.core.models import AuditEvent
from loancrm.jobs.runner import execute_run
from loancrm.ledger.models import JournalEntry
from loancrm.loans.choices import LoanStatus, Source, TxnKind
from loancrm.loans.models import (
    Installment,
    Loan,
    LoanTransaction,
    PaymentChannel,
    PaymentNotification,
    StatementImport,
    StatementLine,
)
from loancrm.loans.services import payment_reverse
from loancrm.loans.statements import poster, selectors, services
from loancrm.loans.tests.factories import make_customer, make_loan, set_business_date
from loancrm.loans.tests.statement_factories import (
    csv_file,
    day,
    entries_balanced,
    ledger_balanced,
    loan_picture,
    make_channel,
    xlsx_file,
)

pytestmark = pytest.mark.django_db
INSTALMENT = "8606.64"  # the reference loan's monthly payment


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
def loans(operator):
    booked = [make_loan(make_customer(), actor=operator) for _ in range(3)]
    set_business_date(day("2026-03-20"))
    return booked


def post_file(operator, channel, rows, *, chunk_size=None, upload=None):
    """Upload, start and run the job in this process (as the worker would)."""
    statement = services.statement_upload(actor=operator, upload=upload or csv_file(rows), channel_id=channel.pk)
    statement = services.statement_start(actor=operator, statement_id=statement.pk, enqueue=False)
    with pytest.MonkeyPatch.context() as patch:
        if chunk_size:
            patch.setattr(services, "CHUNK_SIZE", chunk_size)
        execute_run(statement.job_run_id)
    return StatementImport.objects.get(pk=statement.pk)


def results(statement):
    return list(
        StatementLine.objects.filter(statement=statement).order_by("line_no").values_list("line_no", "result", "note")
    )


def test_lines_are_classified(operator, channel, loans):
    # given a file with every kind of line
    loans[2].__class__.objects.filter(pk=loans[2].pk).update(status=LoanStatus.WRITTEN_OFF)
    c0, c1, c2 = (loan.contract_no for loan in loans)
    rows = [
        ["T01", c0, INSTALMENT, "2026-02-15", "代扣"],  # 2 matched
        ["T02", "", "100.00", "2026-03-01", f"还款 合同{c1} 李四"],  # 3 matched through the memo
        ["T03", "HT99999999", "100.00", "2026-03-01", ""],  # 4 no such contract
        ["T04", "", "100.00", "2026-03-01", "还款"],  # 5 no contract in the memo
        ["T05", "", "100.00", "2026-03-01", ""],  # 6 no contract at all
        ["T06", "", "100.00", "2026-03-01", f"{c0} {c1}"],  # 7 the memo names two loans
        ["T07", c2, "100.00", "2026-03-01", ""],  # 8 written off
        ["T01", c0, "100.00", "2026-03-01", ""],  # 9 the same bank transaction again
        ["", c0, "100.00", "2026-03-01", ""],  # 10 no transaction id
        ["T08", c0, "-5.00", "2026-03-01", ""],  # 11 not a positive amount
        ["T09", c0, "100.00", "2026-13-01", ""],  # 12 not a date
        ["T10", c0, "100.00", "2026-03-21", ""],  # 13 after the business date
        ["T11", "HT99999999", "50.00", "2026-03-01", f"还款{c1}"],  # 14 unknown contract column, the memo names one
    ]
    # when it is posted
    statement = post_file(operator, channel, rows)
    # then each line has its result and reason
    assert results(statement) == [
        (2, "matched", ""),
        (3, "matched", ""),
        (4, "unmatched", "unknown_contract:HT99999999"),
        (5, "unmatched", "no_contract_in_memo"),
        (6, "unmatched", "no_contract"),
        (7, "unmatched", "ambiguous_memo"),
        (8, "unmatched", "loan_not_open:written_off"),
        (9, "duplicate", "duplicate_in_file"),
        (10, "invalid", "no_txn_id"),
        (11, "invalid", "bad_amount:-5.00"),
        (12, "invalid", "bad_date:2026-13-01"),
        (13, "invalid", "future_date"),
        (14, "matched", ""),
    ]
    assert StatementLine.objects.get(statement=statement, line_no=3).contract_no == c1
    assert StatementLine.objects.get(statement=statement, line_no=14).contract_no == c1
    # and the reconciliation counts and totals add up
    summary = {row["result"]: (row["count"], row["amount"]) for row in selectors.reconciliation(statement)}
    assert summary == {
        "matched": (3, Decimal("8756.64")),
        "unmatched": (5, Decimal("500.00")),
        "duplicate": (1, Decimal("100.00")),
        "invalid": (4, Decimal("300.00")),  # the unreadable amount counts nothing
        "": (13, Decimal("9656.64")),
    }
    assert (statement.total_lines, statement.lines_done, statement.matched, statement.unmatched,
            statement.duplicates, statement.invalid, statement.amount_posted) == (
        13, 13, 3, 5, 1, 4, Decimal("8756.64"))  # fmt: skip
    txn = LoanTransaction.objects.get(statement_line__statement=statement, statement_line__line_no=2)
    assert (txn.source, txn.channel_id, txn.reference, txn.kind, txn.posted_by_id, txn.journal_entry_id) == (
        Source.BANK_FILE, channel.pk, "T01", TxnKind.REPAYMENT, operator.pk, None)  # fmt: skip
    assert entries_balanced()


def test_several_lines_for_one_loan_apply_in_file_order_and_an_overpayment_is_held_as_advance(operator, channel, loans):
    contract = loans[0].contract_no
    rows = [
        ["T1", contract, INSTALMENT, "2026-02-15", ""],
        ["T2", contract, "5000.00", "2026-03-15", ""],
        ["T3", contract, "20000.00", "2026-03-20", ""],
    ]
    post_file(operator, channel, rows, chunk_size=2)
    loan = Loan.objects.get(pk=loans[0].pk)
    rows = {row.period: row for row in Installment.objects.filter(loan=loan)}
    assert (rows[1].status, rows[1].paid_on) == ("paid", day("2026-02-15"))
    assert (rows[2].status, rows[2].paid_on) == ("paid", day("2026-03-20"))  # 5,000 on 03-15, the rest on 03-20
    assert (rows[3].status, rows[3].paid_on) == ("paid", day("2026-03-20"))  # the current instalment
    assert rows[4].status == "pending" and rows[4].principal_paid == 0
    txns = list(LoanTransaction.objects.filter(loan=loan, kind=TxnKind.REPAYMENT).order_by("pk"))
    assert [t.reference for t in txns] == ["T1", "T2", "T3"]
    assert [t.advance for t in txns] == [Decimal("0.00"), Decimal("0.00"), Decimal("20000.00") - Decimal("12213.28")]
    assert loan.advance_balance == Decimal("7786.72")
    assert loan.principal_outstanding == Decimal("100000.00") - sum(r.principal_paid for r in rows.values())


def test_the_same_file_uploaded_twice_posts_nothing_the_second_time(operator, channel, loans):
    rows = [["T1", loans[0].contract_no, INSTALMENT, "2026-02-15", ""], ["T2", "HT404", "1.00", "2026-02-15", ""]]
    first = post_file(operator, channel, rows)
    picture = loan_picture(loans[0].pk)
    entries = JournalEntry.objects.count()
    second = post_file(operator, channel, rows)
    assert results(second) == [
        (2, "duplicate", f"posted_before:{first.pk}"),
        (3, "unmatched", "unknown_contract:HT404"),
    ]
    assert (second.matched, second.duplicates, second.amount_posted) == (0, 1, Decimal("0.00"))
    assert loan_picture(loans[0].pk) == picture
    assert JournalEntry.objects.count() == entries
    assert list(selectors.earlier_uploads(second)) == [first]


def test_an_unmatched_line_posts_when_a_corrected_file_names_its_loan(operator, channel, loans):
    post_file(operator, channel, [["T1", "HT404", INSTALMENT, "2026-02-15", ""]])
    again = post_file(operator, channel, [["T1", loans[1].contract_no, INSTALMENT, "2026-02-15", ""]])
    assert results(again) == [(2, "matched", "")]


def test_ids_are_per_channel_and_a_notified_payment_is_a_duplicate(operator, channel, loans):
    other = make_channel("ALIPAY", "支付宝代扣")
    rows = [["T1", loans[0].contract_no, "100.00", "2026-03-01", ""]]
    post_file(operator, channel, rows)
    assert results(post_file(operator, other, rows)) == [(2, "matched", "")]
    PaymentNotification.objects.create(channel=channel, channel_txn_id="N1", contract_no=loans[1].contract_no,
                                       amount=Decimal("100.00"), paid_at="2026-03-01T10:00:00+08:00",
                                       result="accepted", body_sha256="0" * 64)  # fmt: skip
    notified = post_file(operator, channel, [["N1", loans[1].contract_no, "100.00", "2026-03-01", ""]])
    assert results(notified) == [(2, "duplicate", "posted_by_notification")]


def test_chunk_boundaries_keep_file_order_and_find_duplicates_across_chunks(operator, channel, loans):
    contract = loans[0].contract_no
    rows = [["T1", contract, "100.00", "2026-03-01", ""], ["T2", contract, "200.00", "2026-03-02", ""],
            ["T3", contract, "300.00", "2026-03-03", ""], ["T1", contract, "400.00", "2026-03-04", ""],
            ["T4", contract, "500.00", "2026-03-05", ""]]  # fmt: skip
    statement = post_file(operator, channel, rows, chunk_size=2)
    assert [r[1] for r in results(statement)] == ["matched", "matched", "matched", "duplicate", "matched"]
    amounts = LoanTransaction.objects.filter(loan=loans[0], kind=TxnKind.REPAYMENT).order_by("pk")
    assert [t.amount for t in amounts] == [Decimal("100.00"), Decimal("200.00"), Decimal("300.00"), Decimal("500.00")]
    chunks = AuditEvent.objects.filter(action="statement.chunk_posted")
    assert [e.data["lines"] for e in chunks.order_by("id")] == ["lines 2-3", "lines 4-5", "lines 6-6"]
    # one journal entry per chunk and accounting date, balanced
    assert JournalEntry.objects.filter(memo__startswith=f"bank statement #{statement.pk} ").count() == 4
    assert entries_balanced()
    debit, credit = ledger_balanced()
    assert debit == credit


def test_a_failed_run_resumes_after_its_last_committed_chunk(operator, channel, loans, monkeypatch):
    contract = loans[0].contract_no
    rows = [[f"T{i}", contract, "100.00", "2026-03-01", ""] for i in range(1, 6)]
    statement = services.statement_upload(actor=operator, upload=csv_file(rows), channel_id=channel.pk)
    statement = services.statement_start(actor=operator, statement_id=statement.pk, enqueue=False)
    real, calls = services.post_chunk, []

    def crash_on_second_chunk(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("worker lost")
        return real(**kwargs)

    monkeypatch.setattr(services, "post_chunk", crash_on_second_chunk)
    monkeypatch.setattr(services, "CHUNK_SIZE", 2)
    assert execute_run(statement.job_run_id) == "failed"
    statement.refresh_from_db()
    assert (statement.status, statement.lines_done, statement.matched) == ("failed", 2, 2)
    assert "worker lost" in statement.error
    assert LoanTransaction.objects.filter(loan=loans[0], kind=TxnKind.REPAYMENT).count() == 2
    # when it is resumed
    monkeypatch.setattr(services, "post_chunk", real)
    statement = services.statement_start(actor=operator, statement_id=statement.pk, enqueue=False)
    assert execute_run(statement.job_run_id) == "succeeded"
    statement.refresh_from_db()
    assert (statement.status, statement.lines_done, statement.matched) == ("done", 5, 5)
    refs = LoanTransaction.objects.filter(loan=loans[0], kind=TxnKind.REPAYMENT).order_by("pk")
    assert [t.reference for t in refs] == ["T1", "T2", "T3", "T4", "T5"]


def test_a_bank_file_payment_reverses_like_a_single_posting(operator, channel, loans):
    # given the same payment posted singly on one loan and from a file on another
    from loancrm.loans.services import payment_post

    single = payment_post(loan_id=loans[0].pk, amount=Decimal("20000.00"), value_date=day("2026-03-20"),
                          actor=operator, source=Source.BANK_FILE, channel=channel, reference="T1")  # fmt: skip
    post_file(operator, channel, [["T1", loans[1].contract_no, "20000.00", "2026-03-20", ""]])
    bulk = LoanTransaction.objects.get(loan=loans[1], kind=TxnKind.REPAYMENT)
    # when both are reversed
    payment_reverse(transaction_id=single.pk, reason="wrong loan", actor=operator)
    payment_reverse(transaction_id=bulk.pk, reason="wrong loan", actor=operator)
    # then the loans look the same again, ledger included
    assert loan_picture(loans[1].pk) == loan_picture(loans[0].pk)
    assert entries_balanced()


def test_refused_uploads_write_nothing(operator, channel, org, tmp_path):
    media = services.storage_dir()
    sales = make_user("agent", role="sales_agent", unit=org.bj_team1)
    inactive = make_channel("OLD")
    PaymentChannel.objects.filter(pk=inactive.pk).update(is_active=False)
    no_account = PaymentChannel.objects.create(code="NOACCT", name="x", secret="s")
    good = [["T1", "HT1", "1.00", "2026-03-01", ""]]
    cases = [
        (sales, csv_file(good), channel.pk, PermissionDenied),
        (operator, csv_file(good, name="s.txt"), channel.pk, ValidationFailed),
        (operator, csv_file(good), inactive.pk, ValidationFailed),
        (operator, csv_file(good), no_account.pk, ValidationFailed),
        (operator, csv_file(good), None, ValidationFailed),
        (operator, csv_file(good, headers=["合同号", "金额"]), channel.pk, ValidationFailed),
        (operator, csv_file([]), channel.pk, ValidationFailed),
        (operator, xlsx_file(good, name="s.csv"), channel.pk, ValidationFailed),
    ]
    for actor, upload, channel_id, error in cases:
        with pytest.raises(error):
            services.statement_upload(actor=actor, upload=upload, channel_id=channel_id)
    assert StatementImport.objects.count() == 0
    assert not media.exists() or not any(media.iterdir())
    assert not AuditEvent.objects.filter(action="statement.uploaded").exists()


def test_a_posted_statement_cannot_be_started_again(operator, channel, loans):
    statement = post_file(operator, channel, [["T1", loans[0].contract_no, "1.00", "2026-03-01", ""]])
    with pytest.raises(Exception, match="已入账"):
        services.statement_start(actor=operator, statement_id=statement.pk, enqueue=False)


def test_the_uploaders_audit_trail_has_one_event_per_chunk_not_per_line(operator, channel, loans):
    rows = [[f"T{i}", loans[i % 3].contract_no, "10.00", "2026-03-01", ""] for i in range(7)]
    statement = post_file(operator, channel, rows, chunk_size=3)
    events = AuditEvent.objects.filter(action__startswith="statement.", target_id=str(statement.pk)).order_by("id")
    actions = list(events.values_list("action", flat=True))
    assert actions == ["statement.uploaded", "statement.started"] + ["statement.chunk_posted"] * 3 + [
        "statement.finished"]  # fmt: skip
    assert not AuditEvent.objects.filter(action="payment.posted").exists()


def test_reason_labels_read_in_the_users_language():
    from django.utils import translation

    from loancrm.loans.statements.reasons import reason_label

    with translation.override("en"):
        assert reason_label("loan_not_open:paid_off") == "The loan is Paid off."
        assert reason_label("posted_before:12") == "Already posted from bank statement #12."
        assert reason_label("") == ""
        assert reason_label("something_new") == "something_new"


def test_a_chunk_takes_the_same_number_of_statements_whatever_its_size(operator, channel, loans):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for size in (2, 3, 60):  # the first run also fills the per-process caches (ledger account ids, …)
        rows = [[f"S{size}-{i}", loans[i % 3].contract_no, "1.00", "2026-03-01", ""] for i in range(size)]
        statement = services.statement_upload(actor=operator, upload=csv_file(rows), channel_id=channel.pk)
        statement = services.statement_start(actor=operator, statement_id=statement.pk, enqueue=False)
        with CaptureQueriesContext(connection) as queries:
            execute_run(statement.job_run_id)
        assert StatementImport.objects.get(pk=statement.pk).matched == size
        counts.append(len(queries))
    assert counts[1] == counts[2]
    assert poster.lock_loans({}, day("2026-03-01")) == {}


def test_the_loan_page_journal_shows_the_loan_lines_of_a_bank_file_entry(operator, channel, loans):
    from loancrm.loans.loan_selectors import loan_journal

    post_file(operator, channel, [["T9", loans[0].contract_no, "8606.64", "2026-02-15", ""],
                                  ["T10", loans[1].contract_no, "100.00", "2026-02-15", ""]])  # fmt: skip

    entries = list(loan_journal(loans[0]))
    chunk = [entry for entry in entries if entry.loan_id is None]
    assert len(chunk) == 1
    assert {line.loan_id for line in chunk[0].lines.all()} == {loans[0].pk}
