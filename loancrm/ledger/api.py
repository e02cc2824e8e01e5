"""Ledger API: the trial balance, the journal and one entry (scoped like the pages), the periods and closing or
reopening one. Same selectors and services as the pages."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate

from loancrm.accounts.api_auth import authorized, require_scope
from loancrm.core.business_date import current_business_date
from loancrm.core.errors import ValidationFailed
from loancrm.core.pagination import PageNumberPagination
from loancrm.ledger import selectors, services
from loancrm.ledger.choices import PeriodStatus
from loancrm.ledger.forms import parse_month
from loancrm.ledger.models import AccountingPeriod
from loancrm.ledger.schemas import (
    EntryDetailOut,
    EntryFilters,
    EntryOut,
    PeriodOut,
    ReasonIn,
    TrialBalanceOut,
    TrialBalanceQuery,
)
from loancrm.ledger.selectors import VIEW_PERMISSION

API_PREFIX = "/ledger"
router = Router(tags=["ledger"])


def _month(value: str | None) -> dt.date:
    month = parse_month(value or "")
    if month is None:
        raise ValidationFailed(fields={"month": [ValidationFailed.default_message]})
    return month


@router.get("/trial-balance", response=TrialBalanceOut, auth=authorized(VIEW_PERMISSION),
            summary="Trial balance of a month, or at a date with movements since a start date")  # fmt: skip
def get_trial_balance(request: HttpRequest, query: Query[TrialBalanceQuery]) -> Any:
    require_scope(request, "read")
    if query.month:
        return selectors.month_trial_balance(request.user, _month(query.month))
    as_of = query.as_of or current_business_date()
    return selectors.trial_balance(request.user, as_of=as_of, date_from=query.date_from)


@router.get("/entries", response=list[EntryOut], auth=authorized(VIEW_PERMISSION),
            summary="Journal entries visible to the caller, newest first")  # fmt: skip
@paginate(PageNumberPagination)
def list_entries(request: HttpRequest, filters: Query[EntryFilters]) -> Any:
    require_scope(request, "read")
    entries = selectors.filter_entries(selectors.entries_visible_to(request.user), **filters.dict())
    return entries.order_by("-entry_date", "-id")


@router.get("/entries/{entry_id}", response=EntryDetailOut, auth=authorized(VIEW_PERMISSION),
            summary="One journal entry with its lines and reversal links")  # fmt: skip
def get_entry(request: HttpRequest, entry_id: int) -> Any:
    require_scope(request, "read")
    detail = selectors.access_entry(request.user, entry_id)
    detail.entry.detail_lines = detail.lines  # type: ignore[attr-defined]
    return detail.entry


def _period_out(period: AccountingPeriod) -> dict[str, Any]:
    return {"month": period.label, "status": period.status, "closed_at": period.closed_at,
            "closed_by": period.closed_by.username if period.closed_by else None}  # fmt: skip


@router.get("/periods", response=list[PeriodOut], auth=authorized(VIEW_PERMISSION),
            summary="Accounting periods from the first month with entries to the current one")  # fmt: skip
def list_periods(request: HttpRequest) -> Any:
    require_scope(request, "read")
    return [
        {"month": row.label, "status": PeriodStatus.CLOSED if row.closed else PeriodStatus.OPEN,
         "closed_at": row.closed_at, "closed_by": row.closed_by.username if row.closed_by else None,
         "entries": row.entries, "ended": row.ended, "can_close": row.can_close, "can_reopen": row.can_reopen}
        for row in selectors.period_overview(current_business_date())
    ]  # fmt: skip


@router.post("/periods/{month}/close", response=PeriodOut, auth=authorized("ledger.close_period"),
             summary="Close a month (YYYY-MM) that ended before the business date; audited")  # fmt: skip
def close_period(request: HttpRequest, month: str, payload: ReasonIn) -> Any:
    require_scope(request, "*")
    period = services.period_close(month=_month(month), actor=request.user, reason=payload.reason, request=request)
    return _period_out(period)


@router.post("/periods/{month}/reopen", response=PeriodOut, auth=authorized("ledger.reopen_period"),
             summary="Reopen the latest closed month (YYYY-MM); audited")  # fmt: skip
def reopen_period(request: HttpRequest, month: str, payload: ReasonIn) -> Any:
    require_scope(request, "*")
    period = services.period_reopen(month=_month(month), actor=request.user, reason=payload.reason, request=request)
    return _period_out(period)
