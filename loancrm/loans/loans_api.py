"""JSON API of loan accounts (read only): the scoped list with the page's filters, one loan's summary, its schedule
(current or an older version), its transactions, and the lookup by contract number. Same selectors as the pages;
a loan outside the caller's scope is the same 404 as a missing one."""

from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate

from loancrm.accounts.api_auth import authorized, require_scope
from loancrm.core.business_date import current_business_date
from loancrm.core.errors import NotFound
from loancrm.core.pagination import PageNumberPagination
from loancrm.loans import loan_selectors as reads
from loancrm.loans import selectors
from loancrm.loans.models import Loan, LoanTransaction
from loancrm.loans.schemas import (
    LoanDetailOut,
    LoanFilters,
    LoanOut,
    ScheduleOut,
    TransactionOut,
)

router = Router(tags=["loans"])
VIEW = "loans.view_loan"


def _listed(qs: QuerySet[Loan]) -> QuerySet[Loan]:
    return reads.with_list_columns(qs, current_business_date()).select_related("officer")


@router.get("", response=list[LoanOut], auth=authorized(VIEW), summary="Loans visible to the caller")
@paginate(PageNumberPagination)
def list_loans(request: HttpRequest, filters: Query[LoanFilters]) -> Any:
    require_scope(request, "read")
    values = filters.dict()
    sort = values.pop("sort")
    qs = reads.filter_loan_list(selectors.loans_visible_to(request.user), business_date=current_business_date(),
                                **values)  # fmt: skip
    order = ("-" if sort.startswith("-") else "") + reads.LIST_SORTS[sort.lstrip("-")]
    return _listed(qs).order_by(order, "-pk")


def _detail(loan: Loan) -> Loan:
    """The loan as ``LoanDetailOut`` reads it: list columns annotated, next due instalment and DPD attached."""
    business_date = current_business_date()
    listed = _listed(Loan.objects.filter(pk=loan.pk)).select_related("customer").get()
    found = reads.next_due(selectors.current_schedule(loan))
    listed.next_due = (  # type: ignore[attr-defined]
        {"period": found.row.period, "due_date": found.row.due_date, "amount": found.amount} if found else None
    )
    listed.days_past_due = reads.days_past_due(  # type: ignore[attr-defined]
        loan, found.row.due_date if found else None, business_date
    )
    return listed


@router.get("/by-contract/{contract_no}", response=LoanDetailOut, auth=authorized(VIEW),
            summary="The loan with this contract number")  # fmt: skip
def loan_by_contract(request: HttpRequest, contract_no: str) -> Any:
    require_scope(request, "read")
    return _detail(selectors.loan_by_contract(request.user, contract_no))


@router.get("/{loan_id}", response=LoanDetailOut, auth=authorized(VIEW), summary="Loan summary")
def get_loan(request: HttpRequest, loan_id: int) -> Any:
    require_scope(request, "read")
    return _detail(selectors.access_loan(request.user, loan_id))


def _row(row: Any, state: str) -> dict[str, Any]:
    fields = {name: getattr(row, name) for name in (*reads.TOTAL_FIELDS, "period", "due_date", "paid_on")}
    return {**fields, "due_total": row.due_total, "paid_total": row.paid_total, "state": state}


@router.get("/{loan_id}/schedule", response=ScheduleOut, auth=authorized(VIEW),
            summary="Repayment schedule (current, or an older version with ?version=)")  # fmt: skip
def get_schedule(request: HttpRequest, loan_id: int, version: int | None = None) -> Any:
    require_scope(request, "read")
    loan = selectors.access_loan(request.user, loan_id)
    history = selectors.schedule_history(loan)
    shown = loan.schedule_version if version is None else version
    if shown not in history:
        raise NotFound(fields={"version": [str(version)]})
    view = reads.schedule_view(loan, history[shown], shown, current_business_date())
    return {
        "loan_id": loan.pk,
        "version": view.version,
        "current_version": loan.schedule_version,
        "is_current": view.is_current,
        "versions": sorted(history, reverse=True),
        "superseded_by_transaction": view.superseded_by.pk if view.superseded_by else None,
        "rows": [_row(row, state) for row, state in view.rows],
        "totals": view.totals,
    }


@router.get("/{loan_id}/transactions", response=list[TransactionOut], auth=authorized(VIEW),
            summary="The loan's money transactions, newest first")  # fmt: skip
@paginate(PageNumberPagination)
def list_transactions(request: HttpRequest, loan_id: int) -> Any:
    require_scope(request, "read")
    loan = selectors.access_loan(request.user, loan_id)
    reversal = LoanTransaction.objects.filter(reverses_id=OuterRef("pk")).values("pk")[:1]
    return selectors.loan_transactions(loan).annotate(reversed_by_id=Subquery(reversal))
