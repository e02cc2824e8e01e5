"""Closing and reopening accounting periods: which months may close, order, permissions, audit, refusals that write
nothing, and (PostgreSQL) a close racing with postings."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections, transaction

from loancrm.core.errors import PermissionDenied, ValidationFailed
from loancrm.core.models import AuditEvent
from loancrm.ledger import services
from loancrm.ledger.choices import Acct, EntryKind, PeriodStatus
from loancrm.ledger.errors import PeriodAlreadyClosed, PeriodClosed, PeriodNotClosed, PeriodNotEnded, PeriodOutOfOrder
from loancrm.ledger.models import AccountingPeriod, JournalEntry
from loancrm.ledger.posting import cr, dr, journal_post
from loancrm.ledger.tests.factories import D, M

pytestmark = pytest.mark.django_db


def fee(on, amount="5.00"):
    return journal_post(
        entry_date=on, kind=EntryKind.ADJUSTMENT, legs=[dr(Acct.FEE, M(amount)), cr(Acct.FEE_INCOME, M(amount))]
    )


def close(user, month, reason="月结"):
    return services.period_close(month=month, actor=user, reason=reason)


def reopen(user, month, reason="补记调整"):
    return services.period_reopen(month=month, actor=user, reason=reason)


def state():
    return list(AccountingPeriod.objects.order_by("start").values_list("start", "status")), AuditEvent.objects.count()


def test_an_ended_month_closes_with_an_audit_event_and_then_refuses_postings(people):
    fee(D(2026, 11, 3), "5.00")
    fee(D(2026, 11, 30), "7.25")
    period = close(people.ops, D(2026, 11, 17))
    assert (period.start, period.status, period.closed_by) == (D(2026, 11, 1), PeriodStatus.CLOSED, people.ops)
    event = AuditEvent.objects.get(action="ledger.period_closed")
    assert (event.actor_id, event.target_type, event.target_id) == (
        people.ops.pk,
        "ledger.accountingperiod",
        str(period.pk),
    )
    assert event.data == {"month": "2026-11", "reason": "月结", "entries": 2, "debits": "12.25"}
    with pytest.raises(PeriodClosed), transaction.atomic():
        fee(D(2026, 11, 30))
    assert JournalEntry.objects.count() == 2


def test_only_a_month_that_ended_before_the_business_date_can_be_closed(people, today):
    before = state()
    with pytest.raises(PeriodNotEnded) as refused:
        close(people.ops, D(2026, 12, 1))  # the business date's own month
    assert refused.value.code == "period_not_ended" and "2026-12" in str(refused.value)
    with pytest.raises(PeriodNotEnded):
        close(people.ops, D(2027, 1, 1))
    assert state() == before


def test_closing_twice_is_refused_and_changes_nothing(people):
    close(people.ops, D(2026, 11, 1))
    before = state()
    with pytest.raises(PeriodAlreadyClosed) as refused:
        close(people.admin, D(2026, 11, 1))
    assert refused.value.code == "period_already_closed" and "2026-11" in str(refused.value)
    assert state() == before
    assert AccountingPeriod.objects.get(start=D(2026, 11, 1)).closed_by == people.ops


def test_months_close_in_order_of_their_entries(people):
    fee(D(2026, 9, 10))
    fee(D(2026, 11, 10))
    before = state()
    with pytest.raises(PeriodOutOfOrder) as refused:
        close(people.ops, D(2026, 11, 1))
    assert "2026-09" in str(refused.value) and state() == before
    close(people.ops, D(2026, 9, 1))
    close(people.ops, D(2026, 11, 1))  # October holds no entries: it need not be closed first
    assert [s for s, status in state()[0] if status == PeriodStatus.CLOSED] == [D(2026, 9, 1), D(2026, 11, 1)]


def test_closing_needs_the_permission_and_a_reason(people):
    before = state()
    for user in (people.compliance, people.agent):
        with pytest.raises(PermissionDenied):
            close(user, D(2026, 11, 1))
    with pytest.raises(ValidationFailed) as refused:
        close(people.ops, D(2026, 11, 1), reason="  ")
    assert list(refused.value.fields) == ["reason"]
    with pytest.raises(ValidationFailed):
        close(people.ops, D(2026, 11, 1), reason="x" * 501)
    assert state() == before


def test_reopening_needs_its_own_permission_and_is_audited(people):
    close(people.ops, D(2026, 11, 1))
    with pytest.raises(PermissionDenied):
        reopen(people.ops, D(2026, 11, 1))
    assert AccountingPeriod.objects.get(start=D(2026, 11, 1)).status == PeriodStatus.CLOSED
    period = reopen(people.admin, D(2026, 11, 1))
    assert (period.status, period.closed_at, period.closed_by) == (PeriodStatus.OPEN, None, None)
    event = AuditEvent.objects.get(action="ledger.period_reopened")
    assert event.actor_id == people.admin.pk
    assert event.data["reason"] == "补记调整" and event.data["before"]["closed_by"] == people.ops.pk
    assert fee(D(2026, 11, 30)).entry_date == D(2026, 11, 30)
    assert close(people.ops, D(2026, 11, 1)).status == PeriodStatus.CLOSED  # and it can close again


def test_only_the_latest_closed_month_reopens_and_an_open_one_cannot(people):
    close(people.ops, D(2026, 10, 1))
    close(people.ops, D(2026, 11, 1))
    before = state()
    with pytest.raises(PeriodOutOfOrder) as refused:
        reopen(people.admin, D(2026, 10, 1))
    assert "2026-11" in str(refused.value)
    with pytest.raises(PeriodNotClosed):
        reopen(people.admin, D(2026, 9, 1))
    assert state() == before
    reopen(people.admin, D(2026, 11, 1))
    reopen(people.admin, D(2026, 10, 1))
    assert not AccountingPeriod.objects.filter(status=PeriodStatus.CLOSED).exists()


postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel transactions: PostgreSQL")


def _in_thread(target):
    outcome: dict = {}

    def run():
        try:
            outcome["value"] = target()
        except Exception as exc:  # reported to the test
            outcome["error"] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_posting_blocked_by_a_close_in_progress_is_refused_once_it_commits(people):
    closing, release = threading.Event(), threading.Event()

    def close_and_wait():
        with transaction.atomic():
            period = close(people.ops, D(2026, 11, 1))
            closing.set()
            release.wait(10)
        return period

    closer, closed = _in_thread(close_and_wait)
    assert closing.wait(10)
    poster, posted = _in_thread(lambda: fee(D(2026, 11, 30)))
    time.sleep(0.5)
    assert poster.is_alive(), "the posting should wait for the close to commit"
    release.set()
    closer.join(10)
    poster.join(10)
    assert "error" not in closed
    assert isinstance(posted.get("error"), PeriodClosed)
    assert not JournalEntry.objects.exists()


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_close_gives_way_to_a_posting_in_flight_and_succeeds_after_it(people):
    inserted, release = threading.Event(), threading.Event()

    def post_and_wait():
        with transaction.atomic():
            entry = fee(D(2026, 11, 30))
            inserted.set()
            release.wait(10)
        return entry

    poster, posted = _in_thread(post_and_wait)
    assert inserted.wait(10)
    with pytest.raises(services.LedgerBusy):
        close(people.ops, D(2026, 11, 1))
    assert not AccountingPeriod.objects.filter(status=PeriodStatus.CLOSED).exists()
    release.set()
    poster.join(10)
    assert "error" not in posted
    close(people.ops, D(2026, 11, 1))
    assert JournalEntry.objects.get().entry_date == D(2026, 11, 30)


def stored(month):
    period = AccountingPeriod.objects.get(start=month)
    return {b.account.code: (b.debits, b.credits) for b in period.balances.select_related("account")}


def test_closing_stores_cumulative_balances_and_reopening_removes_them(people):
    fee(D(2026, 9, 10), "5.00")
    fee(D(2026, 10, 3), "7.25")
    fee(D(2026, 11, 3), "100.00")  # after October: not in its balances
    close(people.ops, D(2026, 9, 1))
    assert stored(D(2026, 9, 1)) == {Acct.FEE: (M("5.00"), M("0.00")), Acct.FEE_INCOME: (M("0.00"), M("5.00"))}
    close(people.ops, D(2026, 10, 1))  # September's balances plus October's lines
    assert stored(D(2026, 10, 1)) == {Acct.FEE: (M("12.25"), M("0.00")), Acct.FEE_INCOME: (M("0.00"), M("12.25"))}
    reopen(people.admin, D(2026, 10, 1))
    assert stored(D(2026, 10, 1)) == {} and len(stored(D(2026, 9, 1))) == 2


def test_the_books_are_closed_through_the_latest_closed_month(people):
    fee(D(2026, 11, 3))
    close(people.ops, D(2026, 11, 1))  # October and earlier hold no entries and have no period rows
    with pytest.raises(PeriodClosed), transaction.atomic():
        fee(D(2026, 7, 31))
    assert JournalEntry.objects.count() == 1
    reopen(people.admin, D(2026, 11, 1))
    assert fee(D(2026, 7, 31)).entry_date == D(2026, 7, 31)
