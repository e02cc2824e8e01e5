"""Closing and reopening accounting periods (月结): the ledger's only writes besides posting.

Invariants:
- a period is a calendar month; only a month whose last day is before the business date can be closed, once;
- periods move in order: a month cannot close while an earlier month holding entries is open, and only the latest
  closed month can be reopened; the books are closed through the latest closed month (``posting.period_is_closed``),
  so the figures of a closed month never change under it;
- closing stores each account's cumulative debits and credits through the month's end (``PeriodBalance``, the
  starting point of later trial balances), reopening removes them;
- closing needs ``ledger.close_period``, reopening ``ledger.reopen_period``, both a reason; the period row and its
  audit event commit together, and a refusal writes neither;
- on PostgreSQL a close holds a SHARE lock on the entry table until it commits: postings in flight finish first,
  later ones wait and are then refused (by the ``period_triggers`` trigger, which reads the committed close). The
  close waits for that lock at most half the deadlock timeout, so in any lock cycle with a posting it is the one
  that gives way (and is retried, then refused as busy).
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.db import OperationalError, connection, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loancrm.core.audit import audit_event
from loancrm.core.business_date import current_business_date
from loancrm.core.errors import Conflict, PermissionDenied, ValidationFailed
from loancrm.ledger import selectors
from loancrm.ledger.choices import PeriodStatus
from loancrm.ledger.errors import PeriodAlreadyClosed, PeriodNotClosed, PeriodNotEnded, PeriodOutOfOrder
from loancrm.ledger.models import AccountingPeriod, JournalEntry, JournalLine, PeriodBalance
from loancrm.ledger.posting import next_period, period_end, period_start
from loancrm.ledger.sums import exact_sum, to_amount

REASON_MAX = 500
CLOSE_ATTEMPTS = 3
LOCK_NOT_AVAILABLE = "55P03"


class LedgerBusy(Conflict):
    code = "ledger_busy"
    default_message = _("Postings are in progress; try closing the period again in a moment.")


def _require(actor: Any, perm: str) -> None:
    if not getattr(actor, "is_authenticated", False) or not actor.has_perm(perm):
        raise PermissionDenied()


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(fields={"reason": [_("Give the reason for the change.")]})
    if len(reason) > REASON_MAX:
        raise ValidationFailed(fields={"reason": [_("At most %(n)s characters.") % {"n": REASON_MAX}]})
    return reason


def _label(start: dt.date) -> str:
    return start.strftime("%Y-%m")


def _locked_period(start: dt.date) -> AccountingPeriod:
    """The period row of ``start``, created open when missing, row-locked until the transaction ends."""
    AccountingPeriod.objects.bulk_create([AccountingPeriod(start=start)], ignore_conflicts=True)
    return AccountingPeriod.objects.select_for_update().get(start=start)


def _hold_postings() -> None:
    """PostgreSQL: wait for postings in flight and keep new ones out until commit (see module invariants)."""
    if connection.vendor != "postgresql":
        return  # SQLite transactions are IMMEDIATE: writers are already serialised
    with connection.cursor() as cursor:
        cursor.execute("SELECT setting::int FROM pg_settings WHERE name = 'deadlock_timeout'")
        wait_ms = max(int(cursor.fetchone()[0]) // 2, 50)
        cursor.execute("SELECT current_setting('lock_timeout')")
        previous = cursor.fetchone()[0]
        cursor.execute("SELECT set_config('lock_timeout', %s, true)", [f"{wait_ms}ms"])
        cursor.execute("LOCK TABLE ledger_journalentry IN SHARE MODE")
        cursor.execute("SELECT set_config('lock_timeout', %s, true)", [previous])


def _earliest_open_month_with_entries(before: dt.date) -> dt.date | None:
    """The first month before ``before``, after the latest closed one, that holds entries (months are walked)."""
    latest = selectors.latest_closed(before)
    entries = JournalEntry.objects.filter(entry_date__lt=before)
    if latest is not None:
        entries = entries.filter(entry_date__gte=next_period(latest.start))
    day = entries.order_by("entry_date").values_list("entry_date", flat=True).first()
    return None if day is None else period_start(day)


def _month_figures(start: dt.date) -> dict[str, Any]:
    """Entry count and debit total of the month, recorded in the close's audit event."""
    in_month = {"entry_date__gte": start, "entry_date__lt": next_period(start)}
    debits = JournalLine.objects.filter(**{f"entry__{k}": v for k, v in in_month.items()}).aggregate(
        s=exact_sum("debit")
    )["s"]
    return {"entries": JournalEntry.objects.filter(**in_month).count(), "debits": str(to_amount(debits))}


def _close_once(start: dt.date, actor: Any, reason: str, request: HttpRequest | None) -> AccountingPeriod:
    with transaction.atomic():
        _hold_postings()
        period = _locked_period(start)
        if period.status == PeriodStatus.CLOSED:
            raise PeriodAlreadyClosed(_("%(month)s is already closed.") % {"month": _label(start)})
        earlier = _earliest_open_month_with_entries(start)
        if earlier is not None:
            raise PeriodOutOfOrder(
                _("Close %(earlier)s first: it holds entries and is still open.") % {"earlier": _label(earlier)}
            )
        balances = selectors.cumulative_balances(period_end(start))
        period.status, period.closed_at, period.closed_by = PeriodStatus.CLOSED, timezone.now(), actor
        period.save(update_fields=["status", "closed_at", "closed_by"])
        PeriodBalance.objects.bulk_create(
            PeriodBalance(period=period, account_id=account, debits=debits, credits=credits)
            for account, (debits, credits) in balances.items()
        )
        data = {"month": _label(start), "reason": reason, **_month_figures(start)}
        audit_event(actor, "ledger.period_closed", period, data, request)
        return period


def period_close(*, month: dt.date, actor: Any, reason: str, request: HttpRequest | None = None) -> AccountingPeriod:
    """Close the month of ``month`` for postings (see module invariants)."""
    _require(actor, "ledger.close_period")
    reason = _clean_reason(reason)
    start = period_start(month)
    today = current_business_date()
    if next_period(start) > today:
        raise PeriodNotEnded(
            _("%(month)s has not ended before the business date %(date)s; it cannot be closed yet.")
            % {"month": _label(start), "date": today.isoformat()}
        )
    for attempt in range(1, CLOSE_ATTEMPTS + 1):
        try:
            return _close_once(start, actor, reason, request)
        except OperationalError as exc:
            if getattr(exc.__cause__, "sqlstate", None) != LOCK_NOT_AVAILABLE:
                raise
            if attempt == CLOSE_ATTEMPTS:
                raise LedgerBusy() from exc
            time.sleep(0.2 * attempt)
    raise AssertionError("unreachable")


@transaction.atomic
def period_reopen(*, month: dt.date, actor: Any, reason: str, request: HttpRequest | None = None) -> AccountingPeriod:
    """Reopen the latest closed month for postings (see module invariants)."""
    _require(actor, "ledger.reopen_period")
    reason = _clean_reason(reason)
    start = period_start(month)
    period = AccountingPeriod.objects.select_for_update().filter(start=start).first()
    if period is None or period.status != PeriodStatus.CLOSED:
        raise PeriodNotClosed(_("%(month)s is not closed.") % {"month": _label(start)})
    later = AccountingPeriod.objects.filter(status=PeriodStatus.CLOSED, start__gt=start).order_by("-start").first()
    if later is not None:
        raise PeriodOutOfOrder(_("Reopen %(later)s first: it is closed too.") % {"later": _label(later.start)})
    before = {"closed_at": period.closed_at, "closed_by": period.closed_by_id}
    period.status, period.closed_at, period.closed_by = PeriodStatus.OPEN, None, None
    period.save(update_fields=["status", "closed_at", "closed_by"])
    period.balances.all().delete()
    audit_event(actor, "ledger.period_reopened", period, {"month": _label(start), "reason": reason, "before": before},
                request)  # fmt: skip
    return period
