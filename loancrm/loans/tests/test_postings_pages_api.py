"""Maker-checker through the pages and the API: forms from a loan, the queue, review, approve / reject, quote."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission
from django.template.loader import render_to_string
from django.test import Client

from loancrm.accounts.models import RoleProfile
from loancrm.accounts.tests.factories import make_user
from loancrm.core.testing.access import assert_scoped
from loancrm.loans import postings
from loancrm.loans.choices import RequestStatus, TxnKind, TxnStatus
from loancrm.loans.models import LoanTransaction, PostingRequest
from loancrm.loans.services import payment_post
from loancrm.loans.tests.factories import REFERENCE_START, make_customer, make_loan, set_business_date


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def people(org):
    return {
        "maker": make_user("ops_maker", role="operations", unit=org.hq),
        "checker": make_user("ops_checker", role="operations", unit=org.hq),
        "agent": make_user("agent1", role="sales_agent", unit=org.bj_team1),
    }


@pytest.fixture
def loan(people):
    return make_loan(customer=make_customer(owner=people["agent"]), contract_no="HT-PAGE-1")


@pytest.mark.django_db
def test_payment_form_then_review_page_then_approval(people, loan):
    maker, checker = login(people["maker"]), login(people["checker"])
    form = maker.get(f"/loans/{loan.pk}/postings/new/payment/")
    assert form.status_code == 200 and "HT-PAGE-1" in form.content.decode()
    response = maker.post(f"/loans/{loan.pk}/postings/new/payment/", {
        "amount": "8606.64", "value_date": "2026-01-15", "reference": "现金日记账-0115", "reason": "柜台现金还款",
    })  # fmt: skip
    row = PostingRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/loans/postings/{row.pk}/"
    own = maker.get(f"/loans/postings/{row.pk}/").content.decode()
    assert 'data-testid="own-request"' in own and 'data-testid="approve-form"' not in own
    assert maker.post(f"/loans/postings/{row.pk}/approve/").status_code == 302
    assert PostingRequest.objects.get().status == RequestStatus.PENDING  # own request: refused, flash message
    review = checker.get(f"/loans/postings/{row.pk}/").content.decode()
    assert 'data-testid="approve-form"' in review and "8,606.64" in review
    checker.post(f"/loans/postings/{row.pk}/approve/", {"note": "已核对"})
    row.refresh_from_db()
    assert row.status == RequestStatus.APPROVED
    assert LoanTransaction.objects.get(kind=TxnKind.REPAYMENT).pk == row.transaction_id


@pytest.mark.django_db
def test_form_errors_show_on_the_form_and_write_nothing(people, loan):
    maker = login(people["maker"])
    response = maker.post(f"/loans/{loan.pk}/postings/new/payment/",
                          {"amount": "1.234", "value_date": "2026-01-15", "reason": "x"})  # fmt: skip
    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    future = maker.post(f"/loans/{loan.pk}/postings/new/payment/",
                        {"amount": "100.00", "value_date": "2026-02-01", "reason": "x"})  # fmt: skip
    assert future.status_code == 200 and "营业日" in future.content.decode()
    assert not PostingRequest.objects.exists()


@pytest.mark.django_db
def test_payoff_form_shows_the_quote_and_refreshes_it_for_another_date(people, loan):
    set_business_date(dt.date(2026, 1, 25))
    maker = login(people["maker"])
    page = maker.get(f"/loans/{loan.pk}/postings/new/payoff/").content.decode()
    assert 'data-testid="quote-total"' in page and "100,161.29" in page
    refreshed = maker.post(f"/loans/{loan.pk}/postings/new/payoff/",
                           {"value_date": "2026-01-15", "reason": "x", "quote": "1"}).content.decode()  # fmt: skip
    assert "100,000.00" in refreshed and not PostingRequest.objects.exists()
    maker.post(f"/loans/{loan.pk}/postings/new/payoff/", {"value_date": "2026-01-25", "reason": "客户结清"})
    assert PostingRequest.objects.get().amount == Decimal("100161.29")


@pytest.mark.django_db
def test_prepayment_and_reversal_forms(people, loan):
    maker = login(people["maker"])
    maker.post(f"/loans/{loan.pk}/postings/new/prepayment/", {
        "amount": "20000.00", "keep": "payment", "use_advance": "on", "value_date": "2026-01-15", "reason": "提前还款",
    })  # fmt: skip
    assert PostingRequest.objects.get().keep == "pay+adv"
    txn = payment_post(loan_id=loan.pk, amount=Decimal("500.00"), value_date=REFERENCE_START, actor=None)
    page = maker.get(f"/loans/{loan.pk}/postings/new/reversal/?transaction={txn.pk}").content.decode()
    assert f'<option value="{txn.pk}" selected>' in page
    maker.post(f"/loans/{loan.pk}/postings/new/reversal/", {"transaction": txn.pk, "reason": "错账"})
    reversal = PostingRequest.objects.get(kind="reversal")
    login(people["checker"]).post(f"/loans/postings/{reversal.pk}/approve/")
    assert LoanTransaction.objects.get(pk=txn.pk).status == TxnStatus.REVERSED


@pytest.mark.django_db
def test_reject_needs_a_note_on_the_page(people, loan):
    row = postings.posting_request(actor=people["maker"], loan_id=loan.pk, kind="payment", amount="10.00",
                                   value_date=REFERENCE_START, reason="x")  # fmt: skip
    checker = login(people["checker"])
    assert checker.post(f"/loans/postings/{row.pk}/reject/", {"note": ""}).status_code == 200
    assert PostingRequest.objects.get().status == RequestStatus.PENDING
    checker.post(f"/loans/postings/{row.pk}/reject/", {"note": "无回单"})
    assert PostingRequest.objects.get().status == RequestStatus.REJECTED


@pytest.mark.django_db
def test_queue_filters_by_kind_and_status_and_paginates(people, loan):
    for n in range(23):
        postings.posting_request(actor=people["maker"], loan_id=loan.pk, kind="payment", amount=f"{n + 1}.00",
                                 value_date=REFERENCE_START, reason=f"r{n}")  # fmt: skip
    first = PostingRequest.objects.order_by("id").first()
    postings.posting_reject(actor=people["checker"], request_id=first.pk, note="x")
    client = login(people["checker"])
    pending = client.get("/loans/postings/")
    assert pending.context["page_obj"].paginator.count == 22 and len(pending.context["listing"].rows) == 20
    assert client.get("/loans/postings/?page=2").context["listing"].rows[-1].pk == first.pk + 1
    assert client.get("/loans/postings/?status=rejected").context["page_obj"].paginator.count == 1
    assert client.get("/loans/postings/?status=all").context["page_obj"].paginator.count == 23
    assert client.get("/loans/postings/?status=all&kind=reversal").context["page_obj"].paginator.count == 0
    assert client.get("/loans/postings/?status=all&q=HT-PAGE").context["page_obj"].paginator.count == 23
    by_amount = client.get("/loans/postings/?sort=-amount").context["listing"].rows[0]
    assert by_amount.amount == Decimal("23.00")


@pytest.mark.django_db
def test_loan_actions_include_shows_the_buttons_the_user_may_use(people, loan):
    from django.contrib.auth.context_processors import PermWrapper

    html = render_to_string("loans/payments/_loan_actions.html", {"loan": loan, "perms": PermWrapper(people["maker"])})
    for testid in ("request-payment", "request-prepayment", "request-payoff", "request-reversal", "loan-requests"):
        assert f'data-testid="{testid}"' in html
    assert f"/loans/{loan.pk}/postings/new/reversal/" in html
    agent_perms = PermWrapper(people["agent"])
    nothing = render_to_string("loans/payments/_loan_actions.html", {"loan": loan, "perms": agent_perms})
    assert "data-testid" not in nothing


# ---- API ---------------------------------------------------------------------------------------------------------


def api_post(client: Client, url: str, data: dict) -> object:
    return client.post(url, json.dumps(data), content_type="application/json")


@pytest.mark.django_db
def test_api_request_list_approve_and_reject(people, loan):
    maker, checker = login(people["maker"]), login(people["checker"])
    created = api_post(maker, "/api/v1/payments/requests", {
        "kind": "payment", "contract_no": "HT-PAGE-1", "amount": "8606.64", "value_date": "2026-01-15",
        "reason": "API 登记",
    })  # fmt: skip
    assert created.status_code == 201
    body = created.json()
    assert (body["status"], body["amount"], body["contract_no"], body["requested_by"]) == (
        "pending", "8606.64", "HT-PAGE-1", "ops_maker",
    )  # fmt: skip
    own = api_post(maker, f"/api/v1/payments/requests/{body['id']}/approve", {})
    assert own.status_code == 409 and own.json()["code"] == "own_request"
    listing = checker.get("/api/v1/payments/requests?status=pending").json()
    assert listing["count"] == 1 and listing["items"][0]["id"] == body["id"]
    approved = api_post(checker, f"/api/v1/payments/requests/{body['id']}/approve", {"note": "ok"}).json()
    txn = LoanTransaction.objects.get(kind=TxnKind.REPAYMENT)
    assert (approved["status"], approved["transaction_id"], approved["error"]) == ("approved", txn.pk, None)
    again = api_post(checker, f"/api/v1/payments/requests/{body['id']}/approve", {})
    assert again.status_code == 409 and again.json()["code"] == "request_not_pending"
    second = api_post(maker, "/api/v1/payments/requests", {
        "kind": "reversal", "loan_id": loan.pk, "transaction_id": txn.pk, "reason": "错账",
    }).json()  # fmt: skip
    rejected = api_post(checker, f"/api/v1/payments/requests/{second['id']}/reject", {"note": "无需冲正"})
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    assert checker.get("/api/v1/payments/requests?kind=reversal").json()["count"] == 1


@pytest.mark.django_db
def test_api_approval_that_the_service_refuses_reports_the_error(people, loan):
    row = postings.posting_request(actor=people["maker"], loan_id=loan.pk, kind="payment", amount="10.00",
                                   value_date=REFERENCE_START, reason="x")  # fmt: skip
    loan.status = "written_off"
    loan.save(update_fields=["status"])
    answer = api_post(login(people["checker"]), f"/api/v1/payments/requests/{row.pk}/approve", {})
    assert answer.status_code == 200
    assert answer.json()["status"] == "failed" and answer.json()["error"]["code"] == "loan_not_open"


@pytest.mark.django_db
def test_api_refusals_have_the_error_shape(people, loan):
    maker = login(people["maker"])
    bad = api_post(maker, "/api/v1/payments/requests",
                   {"kind": "payment", "loan_id": loan.pk, "amount": "1.234", "value_date": "2026-01-15",
                    "reason": "x"})  # fmt: skip
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_amount"
    missing = api_post(maker, "/api/v1/payments/requests", {"kind": "payment", "reason": "x"})
    assert missing.status_code == 404
    unknown_channel = api_post(maker, "/api/v1/payments/requests",
                               {"kind": "payment", "loan_id": loan.pk, "amount": "1.00", "value_date": "2026-01-15",
                                "reason": "x", "channel": "NOPE"})  # fmt: skip
    assert unknown_channel.status_code == 400 and "channel" in unknown_channel.json()["fields"]
    assert not PostingRequest.objects.exists()


@pytest.mark.django_db
def test_api_quote(people, loan):
    set_business_date(dt.date(2026, 1, 25))
    client = login(people["agent"])  # the loan's officer may quote it
    quote = client.get("/api/v1/payments/quote?contract_no=HT-PAGE-1").json()
    assert quote == {"contract_no": "HT-PAGE-1", "as_of": "2026-01-25", "overdue": "0.00",
                     "interest_to_date": "161.29", "fee": "0.00", "principal": "100000.00", "advance": "0.00",
                     "total": "100161.29"}  # fmt: skip
    earlier = client.get("/api/v1/payments/quote?contract_no=HT-PAGE-1&as_of=2026-01-15").json()
    assert earlier["total"] == "100000.00"
    other = make_user("agent2", role="sales_agent")
    assert login(other).get("/api/v1/payments/quote?contract_no=HT-PAGE-1").status_code == 404


# ---- scope -------------------------------------------------------------------------------------------------------


@pytest.fixture
def branch_ops(org):
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
def test_pages_and_api_are_scoped_to_the_loans_the_user_sees(people, loan, branch_ops):
    bj, bj2, sh, agent = branch_ops["bj_ops"], branch_ops["bj_ops2"], branch_ops["sh_ops"], people["agent"]
    for kind in ("payment", "prepayment", "payoff", "reversal"):
        assert_scoped(f"/loans/{loan.pk}/postings/new/{kind}/", allowed=[bj], other_scope=[sh], no_permission=[agent])
    row = postings.posting_request(actor=people["maker"], loan_id=loan.pk, kind="payment", amount="10.00",
                                   value_date=REFERENCE_START, reason="x")  # fmt: skip
    assert_scoped(f"/loans/postings/{row.pk}/", allowed=[bj], other_scope=[sh], no_permission=[agent])
    assert_scoped(f"/api/v1/payments/quote?contract_no={loan.contract_no}", allowed=[bj, agent], other_scope=[sh])
    assert_scoped("/api/v1/payments/requests", method="post", allowed=[bj], other_scope=[sh], no_permission=[agent],
                  data={"kind": "payment", "loan_id": loan.pk, "amount": "1.00", "value_date": "2026-01-15",
                        "reason": "scoped"})  # fmt: skip
    assert_scoped(f"/loans/postings/{row.pk}/reject/", method="post", data={"note": "x"}, other_scope=[sh],
                  no_permission=[agent])  # fmt: skip
    assert_scoped(f"/api/v1/payments/requests/{row.pk}/approve", method="post", other_scope=[sh],
                  no_permission=[agent])  # fmt: skip
    assert PostingRequest.objects.get(pk=row.pk).status == RequestStatus.PENDING
    assert_scoped(f"/api/v1/payments/requests/{row.pk}/approve", method="post", allowed=[bj2])
    assert PostingRequest.objects.get(pk=row.pk).status == RequestStatus.APPROVED
    sh_list = login(sh).get("/api/v1/payments/requests").json()
    assert sh_list["count"] == 0
    assert login(sh).get("/loans/postings/?status=all").context["page_obj"].paginator.count == 0
