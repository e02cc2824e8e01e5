"""Reads of loans scoped to the viewer (own / team / branch / all by the account officer and branch); "not yours"
is "not found"."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from loancrm.accounts.scope import scope_q
from loancrm.loans.models import Installment, Loan, LoanTransaction


def loans_visible_to(viewer: Any) -> QuerySet[Loan]:
    if not viewer.has_perm("loans.view_loan"):
        return Loan.objects.none()
    return Loan.objects.filter(scope_q(viewer, owner="officer", org_unit="org_unit")).select_related("customer")


def access_loan(viewer: Any, pk: int) -> Loan:
    """A loan the viewer may see; otherwise the same 404 as a missing one."""
    loan = loans_visible_to(viewer).filter(pk=pk).first()
    if loan is None:
        raise Http404
    return loan


def loan_by_contract(viewer: Any, contract_no: str) -> Loan:
    loan = loans_visible_to(viewer).filter(contract_no=contract_no.strip()).first()
    if loan is None:
        raise Http404
    return loan


def filter_loans(qs: QuerySet[Loan], *, q: str = "", status: str = "", product: str = "") -> QuerySet[Loan]:
    """List filters: ``q`` matches the contract number (prefix) or the customer's name or number."""
    if q:
        q = q.strip()
        qs = qs.filter(Q(contract_no__istartswith=q) | Q(customer__name__icontains=q) | Q(customer__number__iexact=q))
    if status:
        qs = qs.filter(status=status)
    if product:
        qs = qs.filter(product_code=product)
    return qs


def current_schedule(loan: Loan) -> list[Installment]:
    return list(Installment.objects.filter(loan_id=loan.pk, version=loan.schedule_version).order_by("period"))


def schedule_history(loan: Loan) -> dict[int, list[Installment]]:
    """Every schedule version of the loan (older ones superseded by prepayments), newest first."""
    versions: dict[int, list[Installment]] = {}
    for row in Installment.objects.filter(loan_id=loan.pk).order_by("-version", "period"):
        versions.setdefault(row.version, []).append(row)
    return versions


def loan_transactions(loan: Loan) -> QuerySet[LoanTransaction]:
    return LoanTransaction.objects.filter(loan_id=loan.pk).select_related("channel", "posted_by").order_by("-id")
