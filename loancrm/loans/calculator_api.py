"""JSON API of the loan calculator: open without sign-in, rate-limited per client address."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from ninja import Router

from loancrm.core.audit import client_ip
from loancrm.core.errors import RateLimited
from loancrm.core.money import money_str
from loancrm.loans.calculator import schedule_calculate
from loancrm.loans.calculator_schemas import ErrorOut, ScheduleIn, ScheduleOut
from loancrm.loans.schedule import Schedule

router = Router(tags=["calculator"])


@router.post(
    "/schedule",
    auth=None,
    response={200: ScheduleOut, 422: ErrorOut, 429: ErrorOut},
    summary="Repayment schedule of a loan (no sign-in; limited requests per minute)",
)
def schedule(request: HttpRequest, payload: ScheduleIn) -> Any:
    if _over_limit(request):
        raise RateLimited
    result = schedule_calculate(
        principal=payload.principal, annual_rate=payload.annual_rate, term_months=payload.term_months,
        method=payload.method, start_date=payload.start_date, term_days=payload.term_days,
    )  # fmt: skip
    return schedule_out(result)


def schedule_out(result: Schedule) -> dict[str, Any]:
    """The response body: every amount as a two-decimal string."""
    installments = [
        {"period": line.period, "due_date": line.due_date, "principal": money_str(line.principal),
         "interest": money_str(line.interest), "payment": money_str(line.payment), "balance": money_str(line.balance)}
        for line in result.lines
    ]  # fmt: skip
    return {
        "installments": installments,
        "total_principal": money_str(result.total_principal),
        "total_interest": money_str(result.total_interest),
        "total_payment": money_str(result.total_payment),
    }


def _over_limit(request: HttpRequest) -> bool:
    """Count the request in this minute's window of its client address; True past the limit."""
    key = f"calculator:{client_ip(request) or 'unknown'}:{int(time.time() // 60)}"
    limit = int(getattr(settings, "CALCULATOR_REQUESTS_PER_MINUTE", 60))
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=120)
        count = 1
    return count > limit
