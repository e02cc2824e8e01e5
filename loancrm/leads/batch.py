"""A partner's batch of leads (``POST /api/v1/leads/batch``): set-based through ``leads.bulk``, answered per item.

Invariants: the answers are those single intakes would give — created, duplicate (a hit on the existing lead, the
owner never named) or invalid with field errors — except that the whole batch is one transaction per channel and
one audit event per channel (``lead.bulk_intake``) plus one per recorded consent; a repeated (channel, external id),
earlier or within the batch, answers "created" with the first lead's id (idempotent retries); a partner may submit
only for its own channels (403 for the whole batch, nothing written).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from loancrm.compliance.models import ConsentText
from loancrm.compliance.services import consents_record
from loancrm.core.errors import PermissionDenied
from loancrm.leads.bulk import CREATED, DUPLICATE, lead_intake_bulk
from loancrm.leads.choices import IntakeOutcome
from loancrm.leads.models import Channel, Lead
from loancrm.leads.services import IntakeResult, clean_lead, consent_channel, submitted_consents

MAX_BATCH = 1_000


def lead_intake_batch(
    *, items: list[dict[str, Any]], actor: Any = None, request: HttpRequest | None = None
) -> list[IntakeResult]:
    """Take up to MAX_BATCH leads; each item is answered on its own, in order (see module invariants), with the
    lead's id only (``IntakeResult.lead`` is None: loading a thousand leads would cost more than taking them)."""
    if actor is not None and not actor.has_perm("leads.intake_lead"):
        raise PermissionDenied()
    items = items[:MAX_BATCH]
    codes = {str(item.get("channel") or "") for item in items}
    channels = {channel.code: channel for channel in Channel.objects.filter(code__in=codes)}
    if getattr(actor, "kind", "staff") == "partner" and any(c.partner_id != actor.pk for c in channels.values()):
        raise PermissionDenied(_("This account may not submit leads for that channel."))
    results: list[IntakeResult | None] = [None] * len(items)
    consents: dict[int, dict[str, ConsentText]] = {}
    by_channel: dict[int, list[int]] = defaultdict(list)  # channel id → item indexes
    for index, item in enumerate(items):
        errors: dict[str, list[str]] = {}
        consents[index] = submitted_consents(item, errors)
        channel = channels.get(str(item.get("channel") or ""))
        if channel is None:
            errors = {**clean_lead(item)[1], **errors, "channel": [str(_("Unknown channel."))]}
        if errors:
            results[index] = IntakeResult(IntakeOutcome.INVALID, errors=errors)
        else:
            assert channel is not None
            by_channel[channel.pk].append(index)
    by_id = {channel.pk: channel for channel in channels.values()}
    for channel_id, indexes in by_channel.items():
        _take(by_id[channel_id], indexes, items, consents, results, actor=actor, request=request)
    answered = [result for result in results if result is not None]
    assert len(answered) == len(items)
    return answered


def _take(
    channel: Channel, indexes: list[int], items: list[dict[str, Any]], consents: dict[int, dict[str, ConsentText]],
    results: list[IntakeResult | None], *, actor: Any, request: HttpRequest | None,
) -> None:  # fmt: skip
    """One channel's items through the bulk path, their consents recorded in the same transaction."""
    externals = {str(items[i].get("external_id") or "").strip() for i in indexes} - {""}
    answered_before = dict(
        Lead.objects.filter(channel=channel, external_id__in=externals).values_list("external_id", "pk")
    )
    first_of_external: dict[str, int] = {}
    with transaction.atomic():
        bulk = lead_intake_bulk(channel=channel, rows=[items[i] for i in indexes], actor=actor)
        for index, row in zip(indexes, bulk.rows, strict=True):
            external = str(items[index].get("external_id") or "").strip()
            replay_of = (answered_before.get(external) or first_of_external.get(external)) if external else None
            if row.outcome == CREATED:
                if external:
                    first_of_external.setdefault(external, row.lead_id or 0)
                results[index] = IntakeResult(IntakeOutcome.CREATED, lead_id=row.lead_id)
            elif row.outcome == DUPLICATE and replay_of:
                results[index] = IntakeResult(IntakeOutcome.CREATED, lead_id=replay_of, replay=True)
                continue
            elif row.outcome == DUPLICATE:
                results[index] = IntakeResult(IntakeOutcome.DUPLICATE, lead_id=row.lead_id)
            else:
                results[index] = IntakeResult(IntakeOutcome.INVALID, errors=row.errors)
                continue
            if consents[index] and row.lead_id is not None:
                consents_record(subject=Lead(pk=row.lead_id), texts=consents[index], channel=consent_channel(actor),
                                actor=actor, request=request, new_subject=row.outcome == CREATED)  # fmt: skip
