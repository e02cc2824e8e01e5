"""Ledger reads: exact trial-balance figures (month, as-of, scoped), journal filters, a loan's entries and sub-ledger,
and one entry with both reversal links."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.http import Http404

from loancrm.core.errors import ValidationFailed
from loancrm.ledger import selectors
from loancrm.ledger.choices import Acct, EntryKind
from loancrm.ledger.posting import cr, dr, journal_post, journal_reverse
from loancrm.ledger.tests.factories import D, M, accrue, clearing_account, disburse, make_loan, repay

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(org, people):
    """Loan A (Beijing) and loan B (Shanghai) with September and October postings, and a company-level receipt."""
    a = make_loan("HT-A", officer=people.officer, unit=org.bj_team1)
    b = make_loan("HT-B", principal="5000.00", unit=org.sh_team1, start=D(2026, 10, 15))
    entries = SimpleNamespace(
        a_disbursed=disburse(a, D(2026, 9, 1)),
        a_accrued=accrue(a, 1, "60.00", D(2026, 9, 30)),
        a_repaid=repay(a, 1, "4000.00", "60.00", D(2026, 10, 1)),
        a_accrued_again=accrue(a, 2, "40.00", D(2026, 10, 31)),
        b_disbursed=disburse(b, D(2026, 10, 15)),
        receipt=journal_post(
            entry_date=D(2026, 10, 20), kind=EntryKind.ADJUSTMENT, memo="待查来款",
            legs=[dr(clearing_account(), M("100.00")), cr(Acct.SUSPENSE, M("100.00"))],
        ),
    )  # fmt: skip
    return SimpleNamespace(a=a, b=b, entries=entries)


def figures(tb):
    return {
        row.code: (row.opening, row.debits, row.credits, row.closing)
        for row in tb.rows
        if row.opening or row.debits or row.credits or row.closing
    }


def test_the_month_trial_balance_is_exact_and_balanced(people, book):
    tb = selectors.month_trial_balance(people.ops, D(2026, 10, 1))
    assert (tb.date_from, tb.as_of) == (D(2026, 10, 1), D(2026, 10, 31))
    assert figures(tb) == {
        Acct.DISBURSEMENT: (M("-12000.00"), M("0.00"), M("5000.00"), M("-17000.00")),
        Acct.CLEARING_PREFIX + "unionpay": (M("0.00"), M("4160.00"), M("0.00"), M("4160.00")),
        Acct.PRINCIPAL: (M("12000.00"), M("5000.00"), M("4000.00"), M("13000.00")),
        Acct.INTEREST: (M("60.00"), M("40.00"), M("60.00"), M("40.00")),
        Acct.SUSPENSE: (M("0.00"), M("0.00"), M("100.00"), M("100.00")),
        Acct.INTEREST_INCOME: (M("60.00"), M("0.00"), M("40.00"), M("100.00")),
    }
    assert (tb.total_debits, tb.total_credits) == (M("9200.00"), M("9200.00"))
    assert (tb.debit_balances, tb.credit_balances, tb.difference) == (M("200.00"), M("200.00"), M("0.00"))
    assert tb.balanced
    assert len(tb.rows) == 12  # every active account of the chart is listed, with or without lines


def test_as_of_a_date_the_movements_start_on_the_first_of_its_month(people, book):
    tb = selectors.trial_balance(people.compliance, as_of=D(2026, 10, 15))
    assert tb.date_from == D(2026, 10, 1)
    assert (tb.total_debits, tb.total_credits, tb.difference) == (M("9060.00"), M("9060.00"), M("0.00"))
    assert figures(tb)[Acct.PRINCIPAL] == (M("12000.00"), M("5000.00"), M("4000.00"), M("13000.00"))
    since_start = selectors.trial_balance(people.ops, as_of=D(2026, 10, 31), date_from=D(2026, 9, 1))
    assert figures(since_start)[Acct.PRINCIPAL] == (M("0.00"), M("17000.00"), M("4000.00"), M("13000.00"))
    with pytest.raises(ValidationFailed):
        selectors.trial_balance(people.ops, as_of=D(2026, 10, 1), date_from=D(2026, 10, 2))


def test_a_branch_scope_sees_the_trial_balance_of_its_own_loans_only(people, book):
    tb = selectors.month_trial_balance(people.bj_finance, D(2026, 10, 1))
    assert figures(tb) == {
        Acct.DISBURSEMENT: (M("-12000.00"), M("0.00"), M("0.00"), M("-12000.00")),
        Acct.CLEARING_PREFIX + "unionpay": (M("0.00"), M("4060.00"), M("0.00"), M("4060.00")),
        Acct.PRINCIPAL: (M("12000.00"), M("0.00"), M("4000.00"), M("8000.00")),
        Acct.INTEREST: (M("60.00"), M("40.00"), M("60.00"), M("40.00")),
        Acct.INTEREST_INCOME: (M("60.00"), M("0.00"), M("40.00"), M("100.00")),
    }
    assert tb.balanced
    assert figures(selectors.month_trial_balance(people.agent, D(2026, 10, 1))) == {}


def entry_ids(user=None, **filters):
    visible = selectors.entries_visible_to(user)
    return sorted(selectors.filter_entries(visible, **filters).values_list("pk", flat=True))


def test_journal_filters(people, book):
    e, ops = book.entries, people.ops
    assert entry_ids(ops) == sorted(entry.pk for entry in vars(e).values())
    assert entry_ids(ops, date_from=D(2026, 10, 1), date_to=D(2026, 10, 20)) == sorted(
        [e.a_repaid.pk, e.b_disbursed.pk, e.receipt.pk]
    )
    assert entry_ids(ops, kind="accrual") == sorted([e.a_accrued.pk, e.a_accrued_again.pk])
    assert entry_ids(ops, account=Acct.SUSPENSE) == [e.receipt.pk]
    assert entry_ids(ops, contract_no="HT-B") == [e.b_disbursed.pk]
    assert entry_ids(ops, contract_no="HT-NONE") == []
    assert entry_ids(ops, amount_min=M("4060.00"), amount_max=M("4060.00")) == [e.a_repaid.pk]
    assert entry_ids(ops, amount_min=M("5000.00")) == sorted([e.a_disbursed.pk, e.b_disbursed.pk])
    assert entry_ids(ops, amount_max=M("60.00"), kind="accrual", date_to=D(2026, 9, 30)) == [e.a_accrued.pk]
    totals = dict(selectors.filter_entries(selectors.entries_visible_to(ops)).values_list("pk", "total_fen"))
    assert totals[e.a_repaid.pk] == 406000


def test_journal_scope(people, book):
    e = book.entries
    expected = sorted([e.a_disbursed.pk, e.a_accrued.pk, e.a_repaid.pk, e.a_accrued_again.pk])
    assert entry_ids(people.bj_finance) == expected
    assert entry_ids(people.sh_finance) == [e.b_disbursed.pk]
    assert entry_ids(people.agent) == []


def test_a_loans_entries_include_batch_entries_carrying_it_on_a_line_only(people, book):
    batch = journal_post(
        entry_date=D(2026, 10, 31), kind=EntryKind.ACCRUAL, memo="批量计提",
        legs=[dr(Acct.INTEREST, M("1.00"), book.a.pk), dr(Acct.INTEREST, M("2.00"), book.b.pk),
              cr(Acct.INTEREST_INCOME, M("3.00"))],
    )  # fmt: skip
    a_entries = list(selectors.entries_for_loan(book.a.pk))
    assert [entry.pk for entry in a_entries] == [
        batch.pk, book.entries.a_accrued_again.pk, book.entries.a_repaid.pk, book.entries.a_accrued.pk,
        book.entries.a_disbursed.pk,
    ]  # fmt: skip
    assert [entry.total_fen for entry in a_entries] == [300, 4000, 406000, 6000, 1200000]
    assert [entry.pk for entry in selectors.entries_for_loan(book.b.pk)] == [batch.pk, book.entries.b_disbursed.pk]
    assert entry_ids(people.ops, contract_no="HT-B") == sorted([book.entries.b_disbursed.pk, batch.pk])


def test_loan_subledger(people, book):
    rows = selectors.loan_subledger(book.a.pk)
    assert [(r.code, r.debits, r.credits, r.balance) for r in rows] == [
        (Acct.PRINCIPAL, M("12000.00"), M("4000.00"), M("8000.00")),
        (Acct.INTEREST, M("100.00"), M("60.00"), M("40.00")),
    ]
    assert rows[0].name == "贷款本金应收"


def test_one_entry_with_its_lines_and_both_reversal_links(people, book):
    original = book.entries.a_accrued_again
    reversal = journal_reverse(original, entry_date=D(2026, 11, 2), memo="冲正计提")
    detail = selectors.access_entry(people.ops, original.pk)
    assert (detail.reversed_by, detail.reverses, detail.debits, detail.credits) == (
        reversal, None, M("40.00"), M("40.00")
    )  # fmt: skip
    assert [(line.account.code, line.debit, line.credit) for line in detail.lines] == [
        (Acct.INTEREST, M("40.00"), M("0.00")),
        (Acct.INTEREST_INCOME, M("0.00"), M("40.00")),
    ]
    back = selectors.access_entry(people.bj_finance, reversal.pk)
    assert (back.reverses, back.reversed_by) == (original, None)
    for user, pk in ((people.sh_finance, original.pk), (people.agent, original.pk), (people.ops, 999999)):
        with pytest.raises(Http404):
            selectors.access_entry(user, pk)


def test_the_period_overview_lists_months_with_their_rules(people, book, today):
    from loancrm.ledger import services

    services.period_close(month=D(2026, 9, 1), actor=people.ops, reason="月结")
    rows = {row.label: row for row in selectors.period_overview(today)}
    assert list(rows) == ["2026-12", "2026-11", "2026-10", "2026-09"]
    assert [(r.entries, r.closed, r.ended, r.can_close, r.can_reopen) for r in rows.values()] == [
        (0, False, False, False, False),
        (0, False, True, False, False),  # October holds entries and is open: it closes first
        (4, False, True, True, False),
        (2, True, True, False, True),
    ]


def test_after_a_close_the_trial_balance_starts_from_the_stored_balances(people, book):
    from loancrm.ledger import services
    from loancrm.ledger.models import PeriodBalance

    before = selectors.month_trial_balance(people.ops, D(2026, 10, 1))
    services.period_close(month=D(2026, 9, 1), actor=people.ops, reason="月结")
    after = selectors.month_trial_balance(people.ops, D(2026, 10, 1))
    assert after == before
    PeriodBalance.objects.filter(account__code=Acct.PRINCIPAL).update(debits=M("12000.01"))  # read, not recomputed
    assert figures(selectors.month_trial_balance(people.ops, D(2026, 10, 1)))[Acct.PRINCIPAL][0] == M("12000.01")
    assert figures(selectors.month_trial_balance(people.bj_finance, D(2026, 10, 1)))[Acct.PRINCIPAL][0] == M(
        "12000.00"
    )  # a narrower scope sums its own entries
    assert selectors.month_trial_balance(people.ops, D(2026, 9, 1)) != before  # September itself is summed
