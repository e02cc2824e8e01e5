"""JSON API of the overdue pages (read only): the scoped overdue list with the page's filters and sorts, and the
bucket summary. Same selectors as the pages."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate

from loancrm.accounts.api_auth import authorized, require_scope
from loancrm.core.business_date import current_business_date
from loancrm.core.pagination import PageNumberPagination
from loancrm.loans import selectors
from loancrm.servicing import selectors as reads
from loancrm.servicing.schemas import BucketSummaryOut, OverdueFilters, OverdueLoanOut, PortfolioFilters

API_PREFIX = "/servicing"
router = Router(tags=["servicing"])
VIEW = "loans.view_loan"


@router.get("/overdue", response=list[OverdueLoanOut], auth=authorized(VIEW),
            summary="Overdue loans visible to the caller")  # fmt: skip
@paginate(PageNumberPagination)
def list_overdue(request: HttpRequest, filters: Query[OverdueFilters]) -> Any:
    require_scope(request, "read")
    values = filters.dict()
    sort = values.pop("sort")
    qs = reads.overdue_loans(selectors.loans_visible_to(request.user), business_date=current_business_date(),
                             **values)  # fmt: skip
    return reads.sorted_overdue(qs, sort)


@router.get("/buckets", response=BucketSummaryOut, auth=authorized(VIEW),
            summary="Open loans and principal outstanding by bucket and classification")  # fmt: skip
def bucket_summary(request: HttpRequest, filters: Query[PortfolioFilters]) -> Any:
    require_scope(request, "read")
    qs = reads.filter_portfolio(selectors.loans_visible_to(request.user), **filters.dict())
    summary = reads.bucket_summary(qs)
    return {"business_date": current_business_date(), "loans": summary.loans, "balance": summary.balance,
            "buckets": summary.buckets, "classes": summary.classes}  # fmt: skip
