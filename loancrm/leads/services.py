"""Lead intake: clean, de-duplicate race-free, pre-filter, assign — one service for API and H5 (batches and files:
``leads.batch`` and ``leads.bulk``, the same rules set-based).

Invariants: invalid input writes nothing and answers with field errors; the unique blind indexes decide duplicates
inside the database, so concurrent intakes of one person create one lead and the rest become hits; a repeated
(channel, external id) replays the first answer without a new hit; a duplicate never moves the lead to another
owner and the answer never says who owns it; a lead is assigned in the same transaction that creates it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Any

from django.db import OperationalError, connection, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loancrm.compliance.models import Channel as ConsentChannel
from loancrm.compliance.models import ConsentText
from loancrm.compliance.services import consent_texts_offered, consents_record
from loancrm.core.audit import audit_event
from loancrm.core.china_ids import InvalidIdNumber, InvalidMobile, normalize_mobile, validate_id_number
from loancrm.core.errors import PermissionDenied
from loancrm.core.fields import BlindIndexField, blind_lookup
from loancrm.core.id_messages import id_number_message
from loancrm.core.money import to_money
from loancrm.leads.assignment import Agent, pick_agent
from loancrm.leads.choices import IntakeOutcome, Validity
from loancrm.leads.intake_context import IntakeContext, intake_context
from loancrm.leads.models import Channel, Lead, LeadHit
from loancrm.leads.prefilter import prefilter_reason
from loancrm.sales import hooks


@dataclass
class IntakeResult:
    """The answer to one submission; ``lead_id`` is the lead created, replayed or hit (batches give only the id)."""

    outcome: str
    lead: Lead | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)
    replay: bool = False
    lead_id: int | None = None

    def __post_init__(self) -> None:
        if self.lead_id is None and self.lead is not None:
            self.lead_id = self.lead.pk


def clean_lead(data: dict[str, Any], *, today: dt.date | None = None) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Normalise a raw lead; return (clean values, field errors). ``today`` (default: the local date) dates IDs."""
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {
        "name": str(data.get("name") or "").strip()[:60],
        "campaign": str(data.get("campaign") or "").strip()[:80],
        "external_id": str(data.get("external_id") or "").strip()[:80],
        "city": str(data.get("city") or "").strip()[:40],
        "region_code": str(data.get("region_code") or "").strip()[:12],
        "desired_product": str(data.get("desired_product") or "").strip()[:60],
    }
    try:
        clean["mobile"] = normalize_mobile(str(data.get("mobile") or ""))
    except InvalidMobile:
        errors["mobile"] = [str(_("Enter a mainland mobile number."))]
    raw_id = str(data.get("id_number") or "").strip()
    clean["id_number"] = ""
    if raw_id:
        try:
            clean["id_number"] = validate_id_number(raw_id, today=today or timezone.localdate()).number
        except InvalidIdNumber as exc:
            errors["id_number"] = [str(id_number_message(exc))]
    amount = data.get("desired_amount")
    clean["desired_amount"] = None
    if amount not in (None, ""):
        try:
            value = to_money(amount if isinstance(amount, (int, Decimal)) else str(amount))
        except (TypeError, ValueError):
            errors["desired_amount"] = [str(_("Enter an amount such as 50000.00."))]
        else:
            if value <= 0 or value > Decimal("100000000"):
                errors["desired_amount"] = [str(_("The amount must be between 0.01 and 100,000,000."))]
            clean["desired_amount"] = value
    return clean, errors


class _LostRace(Exception):
    """The INSERT met a unique index: a concurrent intake created this person's lead first."""


_LEAD_FIELDS = [f for f in Lead._meta.concrete_fields if not f.primary_key]
_MOBILE_BIDX = Lead._meta.get_field("mobile_bidx")
_ID_BIDX = Lead._meta.get_field("id_number_bidx")


def _context(data: dict[str, Any], clean: dict[str, Any]) -> IntakeContext | None:
    from loancrm.customers.selectors import known_customer_params  # customers builds on leads

    assert isinstance(_MOBILE_BIDX, BlindIndexField) and isinstance(_ID_BIDX, BlindIndexField)
    mobile, id_number = clean.get("mobile", ""), clean["id_number"]
    return intake_context(
        channel_code=str(data.get("channel") or ""), campaign=clean["campaign"], external_id=clean["external_id"],
        mobile_bidx=_MOBILE_BIDX.digest(mobile), id_number_bidx=_ID_BIDX.digest(id_number),
        customer_params=known_customer_params(mobile=mobile, id_number=id_number),
    )  # fmt: skip


def lead_intake(*, data: dict[str, Any], actor: Any = None, request: HttpRequest | None = None) -> IntakeResult:
    """Take one lead from any source (see module invariants). One read for the whole context, then one
    transaction: book the agent, insert the lead already assigned, its first-call task and timeline entry, audit."""
    if actor is not None and not actor.has_perm("leads.intake_lead"):
        raise PermissionDenied()
    clean, errors = clean_lead(data)
    consents = submitted_consents(data, errors)
    context = _context(data, clean)
    if context is None:
        errors["channel"] = [str(_("Unknown channel."))]
    elif getattr(actor, "kind", "staff") == "partner" and context.channel.partner_id != actor.pk:
        raise PermissionDenied(_("This account may not submit leads for that channel."))
    if errors:
        return IntakeResult(IntakeOutcome.INVALID, errors=errors)
    assert context is not None
    channel = context.channel
    if context.replay_id is not None:  # a partner's retry of a submission answered before
        return IntakeResult(IntakeOutcome.CREATED, Lead.objects.get(pk=context.replay_id), replay=True)
    existing = context.customer_lead_id or context.existing_id
    if existing is not None:
        return _hit(Lead.objects.get(pk=existing), channel, clean, request, actor=actor, consents=consents)
    attempt = 1
    while True:
        try:
            lead = _create(context, clean, consents, actor=actor, request=request)
        except _LostRace:
            return _duplicate(channel, clean, request, actor=actor, consents=consents)
        except OperationalError as exc:
            # A deadlock with a file import booking the same team (it locks duty rows in user order, an intake in
            # turn order): PostgreSQL aborted this transaction, so nothing of it was written; try again.
            if connection.in_atomic_block or attempt >= DEADLOCK_ATTEMPTS or not _is_deadlock(exc):
                raise
            attempt += 1
            continue
        return IntakeResult(IntakeOutcome.CREATED, lead)


DEADLOCK_ATTEMPTS = 3


def _is_deadlock(exc: OperationalError) -> bool:
    return getattr(exc.__cause__, "sqlstate", None) == "40P01"


def _create(
    context: IntakeContext, clean: dict[str, Any], consents: dict[str, ConsentText], *, actor: Any,
    request: HttpRequest | None,
) -> Lead:  # fmt: skip
    """One transaction: book the agent, insert the lead already assigned, its task and timeline entry, audit."""
    channel = context.channel
    with transaction.atomic():
        lead = Lead(channel=channel, **clean)
        agent, verdict = _prefilter_and_assign(lead, context)
        lead.pk = _insert(lead)
        if lead.pk is None:
            raise _LostRace
        lead._state.adding = False
        if agent is not None:
            hooks.on_new_lead_assigned(lead, agent, first_call_minutes=context.first_call_minutes)
        audit_event(actor, "lead.created", lead, {"channel": channel.code, "campaign": lead.campaign, **verdict},
                    request)  # fmt: skip
        if consents:
            consents_record(subject=lead, texts=consents, channel=consent_channel(actor), actor=actor,
                            request=request, new_subject=True)  # fmt: skip
    return lead


@cache
def _insert_sql() -> str:
    columns = ", ".join(connection.ops.quote_name(f.column) for f in _LEAD_FIELDS)
    marks = ", ".join(["%s"] * len(_LEAD_FIELDS))
    return f"INSERT INTO leads_lead ({columns}) VALUES ({marks}) ON CONFLICT DO NOTHING RETURNING id"  # noqa: S608


def _insert(lead: Lead) -> int | None:
    """INSERT the lead unless a unique index already holds its mobile, ID number or (channel, external id)."""
    values = [f.get_db_prep_save(f.pre_save(lead, True), connection) for f in _LEAD_FIELDS]
    with connection.cursor() as cursor:
        cursor.execute(_insert_sql(), values)
        row = cursor.fetchone()
    return int(row[0]) if row else None


def submitted_consents(data: dict[str, Any], errors: dict[str, list[str]]) -> dict[str, ConsentText]:
    """The consent texts the submission says the person agreed to (``consents``: purpose and text version each);
    a purpose or version that is not offered now is a field error."""
    given: list[tuple[str, int]] = []
    for item in data.get("consents") or []:
        values = item if isinstance(item, dict) else vars(item)
        try:
            given.append((str(values.get("purpose") or ""), int(values.get("text_version") or 0)))
        except (TypeError, ValueError):
            errors.setdefault("consents", []).append(str(_("Each consent needs a purpose and a text version.")))
    if not given:
        return {}
    texts, messages = consent_texts_offered(given)
    if messages:
        errors.setdefault("consents", []).extend(messages)
    return texts


def consent_channel(actor: Any) -> str:
    return ConsentChannel.PARTNER if getattr(actor, "kind", "") == "partner" else ConsentChannel.STAFF


def _duplicate(
    channel: Channel, clean: dict[str, Any], request: HttpRequest | None, *, actor: Any, consents: dict[str, Any]
) -> IntakeResult:
    if clean["external_id"]:
        replay = Lead.objects.filter(channel=channel, external_id=clean["external_id"]).first()
        if replay is not None:
            return IntakeResult(IntakeOutcome.CREATED, replay, replay=True)
    match = blind_lookup(Lead, "mobile", clean["mobile"])
    if clean["id_number"]:
        match |= blind_lookup(Lead, "id_number", clean["id_number"])
    existing = Lead.objects.filter(match).order_by("pk").first()
    if existing is None:  # the conflicting row was rolled back meanwhile: nothing to attach the hit to
        return IntakeResult(IntakeOutcome.DUPLICATE)
    return _hit(existing, channel, clean, request, actor=actor, consents=consents)


@transaction.atomic
def _hit(
    existing: Lead, channel: Channel, clean: dict[str, Any], request: HttpRequest | None, *, actor: Any = None,
    consents: dict[str, Any] | None = None,
) -> IntakeResult:  # fmt: skip
    """Record a repeat submission on ``existing`` (never changing its owner) and answer "duplicate"; consents given
    with it are recorded on the existing lead (those in force already are kept)."""
    LeadHit.objects.create(lead=existing, channel=channel, campaign=clean["campaign"], external_id=clean["external_id"])
    Lead.objects.filter(pk=existing.pk).update(hit_count=F("hit_count") + 1)
    hooks.on_duplicate_hit(existing, channel.name, clean["campaign"])
    audit_event(None, "lead.duplicate_hit", existing, {"channel": channel.code, "campaign": clean["campaign"]}, request)
    if consents:
        consents_record(subject=existing, texts=consents, channel=consent_channel(actor), actor=actor, request=request)
    return IntakeResult(IntakeOutcome.DUPLICATE, existing)


def _prefilter_and_assign(lead: Lead, context: IntakeContext) -> tuple[Agent | None, dict[str, Any]]:
    """Mark the new (not yet inserted) lead invalid or book its agent; returns the agent and what happened (for the
    audit event)."""
    channel = context.channel
    reason = prefilter_reason(
        id_number=lead.id_number,
        channel_blocked=channel.is_blocked,
        min_age=context.min_age,
        max_age=context.max_age,
        allowed_provinces=context.allowed_provinces,
        today=context.business_date,
    )
    if reason:
        lead.validity, lead.invalid_reason, lead.org_unit_id = Validity.INVALID, reason, channel.team_id
        return None, {"invalid_reason": reason}
    region = lead.region_code or (lead.id_number[:6] if lead.id_number else "")
    chosen = pick_agent(channel, rule=context.rule, team=context.team, region_code=region, city=lead.city)
    agent = chosen.agent
    lead.org_unit_id = (agent.org_unit_id if agent else None) or chosen.team_id
    lead.owner_id, lead.assigned_at = (agent.pk, timezone.now()) if agent else (None, None)
    return agent, {"owner": agent.username if agent else None, "strategy": chosen.strategy}
