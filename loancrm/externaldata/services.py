"""External data queries: consent check, cache, provider call with timeout and retries, stored and audited.

``external_fetch`` is the one way to ask a provider about a customer. It refuses (and records the refusal) when
no credit-bureau consent is in force for the customer or the lead it came from, answers from the newest stored
``ok`` response younger than ``max_age`` without calling anyone, and otherwise calls the provider configured in
``EXTERNAL_DATA_PROVIDERS`` (kind → dotted path of a class; default the simulator) outside any transaction,
retrying timeouts and unavailability with a small backoff. The timeout is enforced here, not left to the provider:
each call runs on a worker thread and is abandoned (counted a timeout) when it has not answered in ``timeout_s``.
Each final outcome is stored with its attempt count and audited in the same transaction. ``context_fields`` maps
the latest stored responses to rule-engine names.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from loancrm.compliance.models import Consent, Purpose
from loancrm.compliance.services import ConsentRequired, consent_in_force
from loancrm.core.audit import audit_event
from loancrm.core.errors import DomainError, ValidationFailed
from loancrm.customers.models import Customer
from loancrm.externaldata.models import ExternalQuery, Kind, QueryStatus
from loancrm.externaldata.providers import ProviderError, ProviderTimeout, to_json

SIMULATOR = "loancrm.externaldata.simulator.Simulator"
CONSENT_PURPOSE = Purpose.CREDIT_BUREAU


class ExternalDataUnavailable(DomainError):
    code = "external_data_unavailable"
    status = 503
    default_message = _("The external data provider did not answer. Please try again later.")


_CALLS = ThreadPoolExecutor(max_workers=8, thread_name_prefix="external-data")


def call_with_deadline(call: Callable[..., Any], key: str, timeout_s: float) -> Any:
    """``call(key, timeout_s=…)`` on a worker thread; ``ProviderTimeout`` when it has not answered in time.

    A call that overruns keeps its thread until it returns, but its answer is discarded.
    """
    future = _CALLS.submit(call, key, timeout_s=timeout_s)
    try:
        return future.result(timeout=timeout_s)
    except FutureTimeout:
        future.cancel()
        raise ProviderTimeout(f"no answer in {timeout_s} s") from None


def provider_for(kind: str) -> Any:
    """A new instance of the provider configured for ``kind``."""
    paths = getattr(settings, "EXTERNAL_DATA_PROVIDERS", {})
    return import_string(paths.get(kind, SIMULATOR))()


def customer_consent(customer: Customer) -> Consent | None:
    """The credit-bureau consent in force for the customer, or for a lead that became the customer."""
    consent = consent_in_force(customer, CONSENT_PURPOSE)
    if consent is not None:
        return consent
    for link in customer.lead_links.select_related("lead").order_by("pk"):
        consent = consent_in_force(link.lead, CONSENT_PURPOSE)
        if consent is not None:
            return consent
    return None


def _subject_key(customer: Customer) -> str:
    key = customer.corporate.credit_code if customer.is_corporate and hasattr(customer, "corporate") else ""
    key = key or customer.id_number
    if not key:
        raise ValidationFailed(fields={"id_number": [_("This field is required.")]})
    return key


def _store(customer: Customer, kind: str, actor: Any, **values: Any) -> ExternalQuery:
    user = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        row = ExternalQuery.objects.create(customer=customer, kind=kind, requested_by=user, **values)
        audit_event(actor, "externaldata.queried", customer, {
            "query": row.pk, "kind": kind, "provider": row.provider, "status": row.status, "attempts": row.attempts,
        })  # fmt: skip
    return row


def cached_query(customer: Customer, kind: str, max_age: dt.timedelta) -> ExternalQuery | None:
    return (
        ExternalQuery.objects.filter(
            customer=customer, kind=kind, status=QueryStatus.OK, completed_at__gte=timezone.now() - max_age
        )
        .order_by("-completed_at", "-id")
        .first()
    )


def external_fetch(
    customer: Customer,
    kind: str,
    *,
    actor: Any,
    max_age: dt.timedelta = dt.timedelta(days=30),
    timeout_s: float = 3.0,
    retries: int = 2,
    backoff_s: float = 0.2,
) -> ExternalQuery:
    """The stored ``ok`` answer to ``kind`` about ``customer``: cached when fresh, else fetched now.

    Raises ``ConsentRequired`` (refusal recorded), ``ValidationFailed`` for an unknown kind or a customer without
    an identifier, ``ExternalDataUnavailable`` when every attempt failed (failure recorded).
    """
    if kind not in Kind.values:
        raise ValidationFailed(fields={"kind": [_("Choose one of the allowed values.")]})
    consent = customer_consent(customer)
    if consent is None:
        now = timezone.now()
        _store(customer, kind, actor, status=QueryStatus.REFUSED_NO_CONSENT, requested_at=now, completed_at=now)
        raise ConsentRequired()
    cached = cached_query(customer, kind, max_age)
    if cached is not None:
        return cached
    key = _subject_key(customer)
    provider = provider_for(kind)
    requested_at, attempts = timezone.now(), 0
    error: ProviderError | None = None
    while attempts <= retries:
        attempts += 1
        try:
            result = call_with_deadline(getattr(provider, kind), key, timeout_s)
        except ProviderError as exc:
            error = exc
            if attempts <= retries:
                time.sleep(backoff_s * 2 ** (attempts - 1))
            continue
        return _store(
            customer, kind, actor, provider=provider.name, status=QueryStatus.OK, attempts=attempts,
            response=to_json(result), consent=consent, requested_at=requested_at, completed_at=timezone.now(),
        )  # fmt: skip
    status = QueryStatus.TIMEOUT if isinstance(error, ProviderTimeout) else QueryStatus.FAILED
    _store(
        customer, kind, actor, provider=provider.name, status=status, attempts=attempts,
        response={"error": type(error).__name__}, consent=consent, requested_at=requested_at,
        completed_at=timezone.now(),
    )  # fmt: skip
    raise ExternalDataUnavailable()


def _latest(customer: Customer) -> dict[str, dict[str, Any]]:
    latest: dict[str, dict[str, Any]] = {}
    rows = ExternalQuery.objects.filter(customer=customer, status=QueryStatus.OK).order_by("completed_at", "id")
    for row in rows.only("kind", "response"):
        latest[row.kind] = row.response
    return latest


def context_fields(customer: Customer) -> dict[str, Any]:
    """Rule-engine context fields from the latest stored ``ok`` responses (a kind never fetched adds none)."""
    latest = _latest(customer)
    fields: dict[str, Any] = {}
    if bureau := latest.get(Kind.BUREAU):
        fields.update({name: int(bureau[name]) for name in (
            "inquiries_1m", "inquiries_3m", "inquiries_6m", "overdue_accounts", "max_overdue_months",
        )})  # fmt: skip
        fields["outstanding_debt"] = Decimal(bureau["outstanding_debt"])
    if multi := latest.get(Kind.MULTI_LENDING):
        fields["multi_lending_count_3m"] = int(multi["count_3m"])
        fields["multi_lending_count_6m"] = int(multi["count_6m"])
    if court := latest.get(Kind.COURT):
        fields["court_records"] = max(int(court["enforcement_count"]), 1 if court["dishonest_debtor"] else 0)
    if blacklist := latest.get(Kind.BLACKLIST):
        fields["blacklist_hit"] = bool(blacklist["internal_hit"] or blacklist["external_hit"])
    return fields
