"""Maker-checker postings: requests, approval carrying out the loans service, rejection, refusals, scope."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission

from loancrm.accounts.models import RoleProfile
from loancrm.accounts.tests.factories import make_user
from loancrm.core.errors import NotFound, PermissionDenied
from loancrm.core.models import AuditEvent
from loancrm.ledger.models import JournalLine
from loancrm.loans import postings
from loancrm.loans.channels import channel_create
from loancrm.loans.choices import LoanStatus, PostingKind, RequestStatus, Source, TxnKind, TxnStatus
from loancrm.loans.errors import FutureValueDate, InvalidAmount, LoanNotOpen, PrepaymentRefused
from loancrm.loans.models import Loan, LoanTransaction, PostingRequest
from loancrm.loans.services import payment_post
from loancrm.loans.tests.factories import REFERENCE_START, make_customer, make_loan, set_business_date

SECRET = "channel-secret-0123456789abcdef"


@pytest.fixture
def people(org):
    return {
        "maker": make_user("ops_maker", role="operations", unit=org.hq),
        "checker": make_user("ops_checker", role="operations", unit=org.hq),
        "agent": make_user("agent1", role="sales_agent", unit=org.bj_team1),
    }


@pytest.fixture
def loan(people):
    return make_loan(contract_no="HT-POST-1")


def request_payment(maker, loan, **changes):
    values = {"kind": "payment", "amount": Decimal("8606.64"), "value_date": REFERENCE_START,
              "reason": "客户柜台现金还款"}  # fmt: skip
    values.update(changes)
    return postings.posting_request(actor=maker, loan_id=loan.pk, **values)


def repayments():
    return LoanTransaction.objects.exclude(kind__in=[TxnKind.DISBURSEMENT, TxnKind.MIGRATION])


@pytest.mark.django_db
def test_a_manual_payment_waits_for_approval_then_posts_to_suspense(people, loan):
    # given an operations user's request for a cash payment
    row = request_payment(people["maker"], loan)
    # then nothing is posted yet, and the request is audited
    assert row.status == RequestStatus.PENDING and not repayments().exists()
    assert AuditEvent.objects.get(action="posting.requested").data["amount"] == "8606.64"
    # when another operations user approves it
    decision = postings.posting_approve(actor=people["checker"], request_id=row.pk, note="已核对现金日记账")
    # then the payment is posted as a manual repayment against the suspense account, linked to the request
    row.refresh_from_db()
    txn = LoanTransaction.objects.get(kind=TxnKind.REPAYMENT)
    assert decision.error is None
    assert (row.status, row.transaction_id, row.decided_by_id, row.decision_note) == (
        RequestStatus.APPROVED, txn.pk, people["checker"].pk, "已核对现金日记账",
    )  # fmt: skip
    assert (txn.source, txn.amount, txn.principal, txn.interest, txn.reference) == (
        Source.MANUAL, Decimal("8606.64"), Decimal("8106.64"), Decimal("500.00"), f"PR{row.pk}",
    )  # fmt: skip
    assert txn.posted_by_id == people["checker"].pk
    line = JournalLine.objects.get(entry=txn.journal_entry, account__code="2241.99")
    assert line.debit == Decimal("8606.64")
    approved = AuditEvent.objects.get(action="posting.approved")
    assert approved.actor_id == people["checker"].pk and approved.data["transaction"] == txn.pk


@pytest.mark.django_db
def test_a_payment_through_a_channel_debits_its_clearing_account(people, loan):
    channel = channel_create(code="CMB", name="招商银行", secret=SECRET, actor=people["maker"])
    row = request_payment(people["maker"], loan, channel_id=channel.pk, reference="CMB-20260115-01")
    postings.posting_approve(actor=people["checker"], request_id=row.pk)
    txn = LoanTransaction.objects.get(kind=TxnKind.REPAYMENT)
    assert (txn.channel_id, txn.reference) == (channel.pk, "CMB-20260115-01")
    assert JournalLine.objects.get(entry=txn.journal_entry, account__code="1002.9.CMB").debit == Decimal("8606.64")


@pytest.mark.django_db
def test_the_maker_cannot_approve_their_own_request(people, loan):
    row = request_payment(people["maker"], loan)
    with pytest.raises(postings.OwnRequest):
        postings.posting_approve(actor=people["maker"], request_id=row.pk)
    row.refresh_from_db()
    assert row.status == RequestStatus.PENDING and not repayments().exists()
    assert not AuditEvent.objects.filter(action="posting.approved").exists()


@pytest.mark.django_db
def test_rejection_needs_a_note_and_posts_nothing(people, loan):
    row = request_payment(people["maker"], loan)
    with pytest.raises(postings.InvalidPostingRequest):
        postings.posting_reject(actor=people["checker"], request_id=row.pk, note="  ")
    postings.posting_reject(actor=people["checker"], request_id=row.pk, note="金额与回单不符")
    row.refresh_from_db()
    assert (row.status, row.decision_note, row.decided_by_id) == (
        RequestStatus.REJECTED, "金额与回单不符", people["checker"].pk,
    )  # fmt: skip
    assert not repayments().exists()
    assert AuditEvent.objects.get(action="posting.rejected").data["note"] == "金额与回单不符"
    # a decided request is not decided again
    with pytest.raises(postings.RequestNotPending):
        postings.posting_approve(actor=people["checker"], request_id=row.pk)


@pytest.mark.django_db
def test_the_maker_may_withdraw_by_rejecting_their_own_request(people, loan):
    row = request_payment(people["maker"], loan)
    postings.posting_reject(actor=people["maker"], request_id=row.pk, note="录入错误，撤回")
    assert PostingRequest.objects.get(pk=row.pk).status == RequestStatus.REJECTED


@pytest.mark.django_db
def test_when_the_service_refuses_at_approval_the_request_fails_and_nothing_else_changes(people, loan):
    # given a pending payment request, and a loan that stopped being open meanwhile
    row = request_payment(people["maker"], loan)
    Loan.objects.filter(pk=loan.pk).update(status=LoanStatus.WRITTEN_OFF)
    # when it is approved
    decision = postings.posting_approve(actor=people["checker"], request_id=row.pk)
    # then the request is failed with the service's message, nothing is posted
    row.refresh_from_db()
    assert isinstance(decision.error, LoanNotOpen)
    assert row.status == RequestStatus.FAILED and row.transaction_id is None
    assert row.decision_note == decision.error.summary() and row.decision_note
    assert not repayments().exists() and JournalLine.objects.count() == 2  # the booking only
    event = AuditEvent.objects.get(action="posting.approved")
    assert (event.data["result"], event.data["error"]) == ("failed", "loan_not_open")
    assert not AuditEvent.objects.filter(action="payment.posted").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"amount": Decimal("0")}, InvalidAmount),
        ({"amount": "12.345"}, InvalidAmount),
        ({"amount": "abc"}, InvalidAmount),
        ({"value_date": dt.date(2026, 1, 16)}, FutureValueDate),
        ({"reason": " "}, postings.InvalidPostingRequest),
        ({"value_date": None}, postings.InvalidPostingRequest),
        ({"kind": "gift"}, postings.InvalidPostingRequest),
        ({"channel_id": 999999}, postings.InvalidPostingRequest),
    ],
)
def test_invalid_requests_are_refused_and_write_nothing(people, loan, changes, error):
    with pytest.raises(error):
        request_payment(people["maker"], loan, **changes)
    assert not PostingRequest.objects.exists()
    assert not AuditEvent.objects.filter(action="posting.requested").exists()


@pytest.mark.django_db
def test_requests_need_the_permission_of_their_kind(people, loan):
    with pytest.raises(PermissionDenied):
        request_payment(people["agent"], loan)
    reviewer = make_user("reviewer", role="credit_reviewer")
    with pytest.raises(PermissionDenied):
        postings.posting_approve(actor=reviewer, request_id=request_payment(people["maker"], loan).pk)
    assert PostingRequest.objects.get().status == RequestStatus.PENDING


@pytest.mark.django_db
def test_a_partial_prepayment_keeping_the_term_reschedules_on_approval(people, loan):
    # given a prepayment of 20,000.00 on the disbursement day (no interest to date)
    row = postings.posting_request(
        actor=people["maker"], loan_id=loan.pk, kind="prepayment", amount="20000.00", value_date=REFERENCE_START,
        keep="term", reason="客户申请部分提前还款",
    )  # fmt: skip
    assert row.keep == "term"
    # when approved
    postings.posting_approve(actor=people["checker"], request_id=row.pk)
    # then the principal falls by exactly the prepaid amount under a new schedule version
    txn = LoanTransaction.objects.get(kind=TxnKind.PREPAYMENT)
    loan.refresh_from_db()
    assert (txn.principal, txn.interest, loan.principal_outstanding) == (
        Decimal("20000.00"), Decimal("0.00"), Decimal("80000.00"),
    )  # fmt: skip
    assert (txn.from_version, txn.to_version, loan.schedule_version) == (1, 2, 2)


@pytest.mark.django_db
def test_a_prepayment_may_use_the_advance_the_loan_holds(people, loan):
    # given the first instalment paid with 100.00 more, held as advance
    payment_post(loan_id=loan.pk, amount=Decimal("8706.64"), value_date=REFERENCE_START, actor=people["maker"])
    assert Loan.objects.get(pk=loan.pk).advance_balance == Decimal("100.00")
    row = postings.posting_request(
        actor=people["maker"], loan_id=loan.pk, kind="prepayment", amount="20000.00", value_date=REFERENCE_START,
        keep="payment", use_advance=True, reason="提前还款并使用预收款",
    )  # fmt: skip
    assert (row.keep, postings.keep_option(row.keep)) == ("pay+adv", ("payment", True))
    postings.posting_approve(actor=people["checker"], request_id=row.pk)
    txn = LoanTransaction.objects.get(kind=TxnKind.PREPAYMENT)
    loan.refresh_from_db()
    assert (txn.amount, txn.principal, loan.advance_balance) == (
        Decimal("20000.00"), Decimal("20100.00"), Decimal("0.00"),
    )  # fmt: skip


@pytest.mark.django_db
def test_a_prepayment_that_would_repay_everything_is_refused_at_once(people, loan):
    with pytest.raises(PrepaymentRefused):
        postings.posting_request(actor=people["maker"], loan_id=loan.pk, kind="prepayment", amount="100000.00",
                                 value_date=REFERENCE_START, reason="全部还清")  # fmt: skip
    assert not PostingRequest.objects.exists()


@pytest.mark.django_db
def test_a_payoff_request_takes_the_quote_and_closes_the_loan_on_approval(people, loan):
    set_business_date(dt.date(2026, 1, 25))
    quote = postings.posting_quote(loan=loan, as_of=dt.date(2026, 1, 25))
    # 10 of 31 days of the first period's 500.00 interest
    assert (quote.principal, quote.interest_to_date, quote.total) == (
        Decimal("100000.00"), Decimal("161.29"), Decimal("100161.29"),
    )  # fmt: skip
    with pytest.raises(PrepaymentRefused):
        postings.posting_request(actor=people["maker"], loan_id=loan.pk, kind="payoff", amount="100000.00",
                                 value_date=dt.date(2026, 1, 25), reason="结清")  # fmt: skip
    row = postings.posting_request(actor=people["maker"], loan_id=loan.pk, kind="payoff",
                                   value_date=dt.date(2026, 1, 25), reason="客户结清")  # fmt: skip
    assert row.amount == Decimal("100161.29")
    postings.posting_approve(actor=people["checker"], request_id=row.pk)
    loan.refresh_from_db()
    assert (loan.status, loan.principal_outstanding, loan.paid_off_on) == (
        LoanStatus.PAID_OFF, Decimal("0.00"), dt.date(2026, 1, 25),
    )  # fmt: skip
    assert LoanTransaction.objects.get(kind=TxnKind.PAYOFF).amount == Decimal("100161.29")


@pytest.mark.django_db
def test_a_reversal_request_reverses_the_transaction_on_approval(people, loan):
    txn = payment_post(loan_id=loan.pk, amount=Decimal("8606.64"), value_date=REFERENCE_START, actor=people["maker"])
    row = postings.posting_request(actor=people["maker"], loan_id=loan.pk, kind="reversal", transaction_id=txn.pk,
                                   reason="重复入账")  # fmt: skip
    assert (row.target_id, row.amount) == (txn.pk, Decimal("8606.64"))
    # a second request for the same transaction waits for the first
    with pytest.raises(postings.ReversalPending):
        postings.posting_request(actor=people["checker"], loan_id=loan.pk, kind="reversal", transaction_id=txn.pk,
                                 reason="重复")  # fmt: skip
    postings.posting_approve(actor=people["checker"], request_id=row.pk)
    txn.refresh_from_db()
    reversal = LoanTransaction.objects.get(kind=TxnKind.REVERSAL)
    assert txn.status == TxnStatus.REVERSED and reversal.reverses_id == txn.pk and reversal.reason == "重复入账"
    assert Loan.objects.get(pk=loan.pk).principal_outstanding == Decimal("100000.00")
    assert PostingRequest.objects.get(pk=row.pk).transaction_id == reversal.pk


@pytest.mark.django_db
def test_bookings_reversed_or_foreign_transactions_cannot_be_requested_for_reversal(people, loan):
    booking = LoanTransaction.objects.get(loan=loan, kind=TxnKind.DISBURSEMENT)
    other = make_loan(contract_no="HT-POST-2")
    foreign = payment_post(loan_id=other.pk, amount=Decimal("100.00"), value_date=REFERENCE_START, actor=None)
    for target in (booking.pk, foreign.pk, 999999):
        with pytest.raises(postings.InvalidPostingRequest):
            postings.posting_request(actor=people["maker"], loan_id=loan.pk, kind="reversal", transaction_id=target,
                                     reason="x")  # fmt: skip
    assert not PostingRequest.objects.exists()
    assert list(postings.reversible_transactions(loan)) == []


@pytest.fixture
def branch_ops(org):
    """A custom role of branch scope that may request and approve postings."""
    group = Group.objects.create(name="role:branch_ops")
    for codename in ("view_loan", "post_payment", "reverse_payment", "approve_posting"):
        group.permissions.add(Permission.objects.get(codename=codename, content_type__app_label="loans"))
    RoleProfile.objects.create(group=group, code="branch_ops", name="分行运营", data_scope="branch")
    users = {}
    for name, unit in (("bj_ops", org.bj), ("bj_ops2", org.bj), ("sh_ops", org.sh)):
        users[name] = make_user(name, unit=unit)
        users[name].groups.add(group)
    return users


@pytest.mark.django_db
def test_requesters_and_approvers_act_only_on_loans_they_see(org, people, branch_ops):
    bj_loan = make_loan(customer=make_customer(owner=people["agent"]), contract_no="HT-BJ-1")
    row = request_payment(branch_ops["bj_ops"], bj_loan)
    with pytest.raises(NotFound):
        request_payment(branch_ops["sh_ops"], bj_loan)
    with pytest.raises(NotFound):
        postings.posting_approve(actor=branch_ops["sh_ops"], request_id=row.pk)
    with pytest.raises(NotFound):
        postings.posting_reject(actor=branch_ops["sh_ops"], request_id=row.pk, note="x")
    assert list(postings.requests_visible_to(branch_ops["sh_ops"])) == []
    assert list(postings.requests_visible_to(branch_ops["bj_ops2"])) == [row]
    assert PostingRequest.objects.get(pk=row.pk).status == RequestStatus.PENDING
    postings.posting_approve(actor=branch_ops["bj_ops2"], request_id=row.pk)
    assert PostingRequest.objects.get(pk=row.pk).status == RequestStatus.APPROVED


@pytest.mark.django_db
def test_request_kinds_cover_the_posting_kinds():
    assert set(postings.KIND_PERM) == set(PostingKind)
