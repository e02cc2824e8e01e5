"""Posting: balanced entries are written, every malformed one is refused with nothing written, closed periods refuse
postings, reversals mirror, and the database triggers keep journal rows append-only."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from loancrm.core.audit_triggers import UNLOCK_TABLE
from loancrm.ledger.choices import Acct, EntryKind, PeriodStatus
from loancrm.ledger.errors import PeriodClosed, Unbalanced, UnknownAccount
from loancrm.ledger.models import AccountingPeriod, JournalEntry, JournalLine
from loancrm.ledger.posting import cr, dr, journal_post, journal_reverse
from loancrm.ledger.tests.factories import D, M, disburse, make_loan

pytestmark = pytest.mark.django_db


NOVEMBER_5 = D(2026, 11, 5)


def post(*legs, on=NOVEMBER_5, **extra):
    return journal_post(entry_date=on, kind=EntryKind.ADJUSTMENT, legs=list(legs), **extra)


def written() -> tuple[int, int]:
    return JournalEntry.objects.count(), JournalLine.objects.count()


def test_a_balanced_entry_is_written_with_its_lines(today):
    loan = make_loan()
    entry = disburse(loan, D(2026, 9, 1))
    lines = list(entry.lines.order_by("id").values_list("account__code", "loan_id", "debit", "credit"))
    assert lines == [
        (Acct.PRINCIPAL, loan.pk, M("12000.00"), M("0.00")),
        (Acct.DISBURSEMENT, None, M("0.00"), M("12000.00")),
    ]
    assert (entry.entry_date, entry.kind, entry.loan_id) == (D(2026, 9, 1), "disbursement", loan.pk)


def test_legs_on_the_same_account_and_side_are_merged(today):
    entry = post(dr(Acct.FEE, M("1.00")), dr(Acct.FEE, M("2.50")), cr(Acct.FEE_INCOME, M("3.50")))
    assert list(entry.lines.values_list("debit", "credit")) == [(M("3.50"), M("0.00")), (M("0.00"), M("3.50"))]


@pytest.mark.parametrize(
    "legs",
    [
        [dr(Acct.FEE, M("10.00")), cr(Acct.FEE_INCOME, M("9.99"))],  # unbalanced by a fen
        [dr(Acct.FEE, M("10.00"))],  # one line
        [dr(Acct.FEE, M("-10.00")), cr(Acct.FEE_INCOME, M("-10.00"))],  # negative
        [dr(Acct.FEE, M("0.00")), cr(Acct.FEE_INCOME, M("0.00"))],  # zero
        [],
    ],
    ids=["unbalanced", "single-line", "negative", "zero", "empty"],
)
def test_malformed_entries_are_refused_and_nothing_is_written(today, legs):
    with pytest.raises(Unbalanced) as refused:
        post(*legs)
    assert refused.value.code == "journal_unbalanced"
    assert written() == (0, 0)


def test_an_unknown_account_is_refused_and_nothing_is_written(today):
    with pytest.raises(UnknownAccount), transaction.atomic():
        post(dr("9999.99", M("5.00")), cr(Acct.FEE_INCOME, M("5.00")))
    assert written() == (0, 0)


def test_an_entry_dated_in_a_closed_period_is_refused_and_nothing_is_written(today):
    AccountingPeriod.objects.create(start=D(2026, 11, 1), status=PeriodStatus.CLOSED)
    with pytest.raises(PeriodClosed) as refused, transaction.atomic():
        post(dr(Acct.FEE, M("5.00")), cr(Acct.FEE_INCOME, M("5.00")), on=D(2026, 11, 30))
    assert refused.value.code == "period_closed" and refused.value.status == 409
    assert written() == (0, 0)
    entry = post(dr(Acct.FEE, M("5.00")), cr(Acct.FEE_INCOME, M("5.00")), on=D(2026, 12, 1))
    assert entry.entry_date == D(2026, 12, 1)


def test_a_late_money_event_can_move_out_of_a_closed_period_to_the_business_date(today):
    AccountingPeriod.objects.create(start=D(2026, 11, 1), status=PeriodStatus.CLOSED)
    entry = post(dr(Acct.FEE, M("5.00")), cr(Acct.FEE_INCOME, M("5.00")), on=D(2026, 11, 30), move_out_of_closed=True)
    assert entry.entry_date == today


def test_a_reversal_mirrors_the_entry_and_links_to_it(today):
    loan = make_loan()
    original = disburse(loan, D(2026, 9, 1))
    reversal = journal_reverse(original, entry_date=D(2026, 9, 2), memo="冲正")
    mirrored = list(reversal.lines.order_by("id").values_list("account__code", "loan_id", "debit", "credit"))
    assert mirrored == [
        (Acct.PRINCIPAL, loan.pk, M("0.00"), M("12000.00")),
        (Acct.DISBURSEMENT, None, M("12000.00"), M("0.00")),
    ]
    assert (reversal.reverses_id, reversal.kind, reversal.loan_id) == (original.pk, "reversal", loan.pk)
    assert JournalEntry.objects.get(pk=original.pk).reversed_by == reversal
    assert original.lines.count() == 2


def sql(statement: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE ledger_journalentry SET memo = 'edited'",
        "DELETE FROM ledger_journalentry",
        "UPDATE ledger_journalline SET debit = debit + 1 WHERE debit > 0",
        "DELETE FROM ledger_journalline",
    ],
)
def test_the_triggers_refuse_update_and_delete_of_journal_rows(today, statement):
    disburse(make_loan(), D(2026, 9, 1))
    sql(f"DROP TABLE {UNLOCK_TABLE}")  # rolled back with the test's transaction
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        sql(statement)
    assert written() == (1, 2)
    assert JournalEntry.objects.get().memo == "放款 HT-2026-0001"
    assert sorted(JournalLine.objects.values_list("debit", flat=True)) == [M("0.00"), M("12000.00")]


def test_the_database_refuses_entries_in_closed_months_from_any_writer(today):
    AccountingPeriod.objects.create(start=D(2026, 10, 1), status=PeriodStatus.CLOSED)
    insert = "INSERT INTO ledger_journalentry (entry_date, kind, memo, posted_at) VALUES (%s, 'adjustment', '', %s)"
    for day in (D(2026, 10, 31), D(2026, 3, 1)):  # the closed month, and one before it without a period row
        with (
            pytest.raises(IntegrityError, match="ledger period closed"),
            transaction.atomic(),
            connection.cursor() as c,
        ):
            c.execute(insert, [day, timezone.now()])
    with connection.cursor() as cursor:
        cursor.execute(insert, [D(2026, 11, 1), timezone.now()])
    assert list(JournalEntry.objects.values_list("entry_date", flat=True)) == [D(2026, 11, 1)]
