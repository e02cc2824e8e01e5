"""Sorting and pagination for list pages (tables), shared so every table behaves the same.

Only whitelisted sort keys are accepted; page size is bounded; an out-of-range page shows the last page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

PAGE_SIZES = (20, 50, 100)


@dataclass
class Listing:
    page_obj: Page[Any]
    sort: str
    page_size: int

    @property
    def rows(self) -> list[Any]:
        return list(self.page_obj.object_list)


def paginate(
    request: HttpRequest,
    queryset: QuerySet[Any],
    *,
    sorts: dict[str, str],
    default_sort: str,
    tie_breaker: str = "-pk",
) -> Listing:
    """Sort ``queryset`` by ``?sort=key`` / ``?sort=-key`` (``sorts`` maps keys to ORM paths) and paginate."""
    requested = request.GET.get("sort", default_sort)
    key = requested.lstrip("-")
    if key not in sorts:
        requested, key = default_sort, default_sort.lstrip("-")
    descending = requested.startswith("-")
    order = ("-" if descending else "") + sorts[key]
    try:
        page_size = int(request.GET.get("page_size", PAGE_SIZES[0]))
    except ValueError:
        page_size = PAGE_SIZES[0]
    if page_size not in PAGE_SIZES:
        page_size = PAGE_SIZES[0]
    paginator = Paginator(queryset.order_by(order, tie_breaker), page_size)
    page_obj = paginator.get_page(request.GET.get("page"))
    return Listing(page_obj=page_obj, sort=requested, page_size=page_size)


def date_param(raw: str) -> dt.date | None:
    """A list filter's ``YYYY-MM-DD`` query value; blank or malformed gives ``None`` (the filter is ignored)."""
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None
