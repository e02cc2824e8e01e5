"""Set-based lead intake for files: one chunk of rows per call, the same rules as ``lead_intake``.

Invariants: rows are validated by ``clean_lead``; ``prepare_rows`` (cleaning, ID parsing, blind indexes, encryption)
reads no database, so an import's reader process can run it ahead of the writes; the unique blind indexes decide
duplicates inside the database (``INSERT … ON CONFLICT DO NOTHING RETURNING``, never check-then-insert); a row that
repeats an earlier row of the same chunk (same mobile, ID number or external id) is a duplicate of that earlier row;
a duplicate becomes a ``LeadHit`` and raises ``hit_count`` on the existing lead and never changes its owner; a
repeated (channel, external id) is a duplicate without a hit (a replay); pre-filter rules mark created leads
invalid; valid new leads are assigned by the channel's or campaign's rule (``bulk_assignment``) in the INSERT itself
(rows that match an existing lead in a lookup just before are not given a turn; the lookup only saves turns, the
INSERT still decides, and a row that loses a race to a concurrent intake merely wastes its turn); a row whose mobile
or ID number belongs to a customer is a duplicate on that customer's first lead, as in ``lead_intake``; the chunk
writes one audit event. The caller owns the transaction boundary (one chunk, one transaction) but the call is atomic
on its own too.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from operator import attrgetter
from typing import Any

from django.db import connection, models, transaction
from django.db.models import F
from django.utils import timezone

from loancrm.core.audit import audit_event
from loancrm.core.business_date import current_business_date
from loancrm.core.china_ids import IdNumber, validate_id_number
from loancrm.core.crypto import encrypt
from loancrm.core.errors import PermissionDenied
from loancrm.core.sql import one_of, pg_array
from loancrm.leads.bulk_assignment import assign_rows, record_turns
from loancrm.leads.choices import Validity
from loancrm.leads.models import Channel, Lead, LeadHit, PrefilterRules
from loancrm.leads.prefilter import prefilter_reason_parsed
from loancrm.leads.services import clean_lead
from loancrm.sales import hooks

CREATED, DUPLICATE, INVALID = "created", "duplicate", "invalid"
VALID = str(Validity.VALID.value)
STAGE = "leads_bulk_stage"  # PostgreSQL session-temporary staging table (emptied at commit)
MAX_PARAMS = 30_000  # below SQLite's default host-parameter limit (32,766)
Errors = dict[str, list[str]]


@dataclass(slots=True)
class Row:
    """A cleaned row ready to insert: its Lead column values by attribute name (ciphertext in the encrypted columns,
    digests in the blind indexes) and what dedup, pre-filter and assignment read. Pickles as a plain tuple."""

    name: str
    campaign: str
    external_id: str
    city: str
    region_code: str
    desired_product: str
    desired_amount: Decimal | None
    mobile: str
    id_number: str
    mobile_bidx: str
    id_number_bidx: str
    customer_digests: tuple[str, str]  # mobile and ID number under the customer model's blind-index keys
    id_parsed: IdNumber | None
    region: str  # the region code, else the ID number's first six digits (assignment by region)
    validity: str = VALID
    invalid_reason: str = ""
    owner_id: int | None = None
    org_unit_id: int | None = None
    assigned_at: dt.datetime | None = None

    def __reduce__(self) -> tuple[type[Row], tuple[Any, ...]]:
        return Row, _ROW_VALUES(self)


_ROW_VALUES = attrgetter(*Row.__slots__)
COLUMNS = [f for f in Lead._meta.concrete_fields if not isinstance(f, models.AutoField)]
ROW_COLUMNS = [f for f in COLUMNS if f.attname in Row.__slots__]  # the rest take the chunk's channel or defaults
FIXED_COLUMNS = [f for f in COLUMNS if f.attname not in Row.__slots__]
_ROW_COLUMN_VALUES = attrgetter(*(f.attname for f in ROW_COLUMNS))
# Columns whose Python value needs the field's own conversion for SQLite (the rest are passed as they are).
CONVERTED = {f.attname for f in COLUMNS if isinstance(f, (models.DecimalField, models.DateField))}


def _field(model: type[models.Model], name: str) -> Any:
    return model._meta.get_field(name)


def prepare_rows(rows: Sequence[dict[str, Any]], *, today: dt.date) -> list[Row | Errors]:
    """Per raw row, its ``Row`` or its field errors: cleaned (``today`` dates ID numbers), the ID number parsed,
    digested for leads and for customers, mobile and ID number encrypted. Reads no database."""
    from loancrm.customers.models import Customer, CustomerMobile  # customers builds on leads

    mobile, id_number = _field(Lead, "mobile"), _field(Lead, "id_number")
    mobile_bidx, id_bidx = _field(Lead, "mobile_bidx"), _field(Lead, "id_number_bidx")
    customer_mobile, customer_id = _field(CustomerMobile, "mobile_bidx"), _field(Customer, "id_number_bidx")
    prepared: list[Row | Errors] = []
    for raw in rows:
        clean, errors = clean_lead(raw, today=today)
        if errors:
            prepared.append(errors)
            continue
        plain_mobile, plain_id = clean["mobile"], clean["id_number"]
        clean["mobile"] = encrypt(plain_mobile, mobile.aad)
        clean["id_number"] = encrypt(plain_id, id_number.aad) if plain_id else ""
        prepared.append(
            Row(
                **clean,
                mobile_bidx=mobile_bidx.digest(plain_mobile),
                id_number_bidx=id_bidx.digest(plain_id),
                customer_digests=(customer_mobile.digest(plain_mobile), customer_id.digest(plain_id)),
                id_parsed=validate_id_number(plain_id, today=today) if plain_id else None,
                region=clean["region_code"] or plain_id[:6],
            )
        )
    return prepared


@dataclass
class RowOutcome:
    outcome: str
    lead_id: int | None = None
    errors: Errors = field(default_factory=dict)
    prefilter_invalid: bool = False


@dataclass
class BulkResult:
    rows: list[RowOutcome]

    def count(self, outcome: str) -> int:
        return sum(1 for row in self.rows if row.outcome == outcome)

    @property
    def prefilter_invalid(self) -> int:
        return sum(1 for row in self.rows if row.prefilter_invalid)

    def summary(self) -> dict[str, int]:
        return {
            "created": self.count(CREATED),
            "duplicates": self.count(DUPLICATE),
            "invalid": self.count(INVALID),
            "prefilter_invalid": self.prefilter_invalid,
        }


def _keys(lead: Row) -> list[tuple[str, str]]:
    keys = [("m", lead.mobile_bidx)]
    if lead.id_number_bidx:
        keys.append(("i", lead.id_number_bidx))
    if lead.external_id:
        keys.append(("e", lead.external_id))
    return keys


def _fixed_values(channel: Channel) -> list[Any]:
    return [channel.pk if f.attname == "channel_id" else f.get_default() for f in FIXED_COLUMNS]


def _insert_ignoring_conflicts(channel: Channel, leads: list[Row]) -> dict[str, int]:
    """Insert ``leads``; rows hitting any unique constraint are skipped. Returns {mobile digest: new id}.

    PostgreSQL: COPY into a session-temporary staging table, then one INSERT … SELECT … ON CONFLICT DO NOTHING
    (measured 2x faster than unnest arrays, 3x multi-row VALUES); other databases: multi-row VALUES … ON CONFLICT DO
    NOTHING within their host-parameter limit.
    """
    if not leads:
        return {}
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in ROW_COLUMNS + FIXED_COLUMNS)
    table = quote(Lead._meta.db_table)
    fixed = _fixed_values(channel)
    tail = "ON CONFLICT DO NOTHING RETURNING id, mobile_bidx"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            staged = ", ".join(quote(f.column) for f in ROW_COLUMNS)
            cursor.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS {STAGE} ON COMMIT DELETE ROWS AS "  # noqa: S608
                f"SELECT {staged} FROM {table} WITH NO DATA"
            )
            with cursor.copy(f"COPY {STAGE} ({staged}) FROM STDIN") as copy:
                for lead in leads:
                    copy.write_row(_ROW_COLUMN_VALUES(lead))
            marks = ", ".join(["%s"] * len(fixed))
            cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {staged}, {marks} FROM {STAGE} {tail}", fixed)  # noqa: S608
            created = {str(bidx): int(pk) for pk, bidx in cursor.fetchall()}
            cursor.execute(f"TRUNCATE {STAGE}")
            return created
        created = {}
        prepare = [(f.attname in CONVERTED, f) for f in ROW_COLUMNS + FIXED_COLUMNS]
        per_statement = max(1, MAX_PARAMS // len(prepare))
        row_sql = "(" + ", ".join(["%s"] * len(prepare)) + ")"
        for start in range(0, len(leads), per_statement):
            batch = leads[start : start + per_statement]
            params = [
                f.get_db_prep_save(value, connection) if convert else value
                for lead in batch
                for (convert, f), value in zip(prepare, (*_ROW_COLUMN_VALUES(lead), *fixed), strict=True)
            ]
            cursor.execute(f"INSERT INTO {table} ({columns}) VALUES {', '.join([row_sql] * len(batch))} {tail}", params)  # noqa: S608
            created.update({str(bidx): int(pk) for pk, bidx in cursor.fetchall()})
    return created


def _known(lead: Row, found: dict[tuple[str, str], int]) -> bool:
    return any(key in found for key in _keys(lead))


def _existing_matches(channel: Channel, leads: list[Row]) -> tuple[dict[tuple[str, str], int], set[str]]:
    """(key → lowest matching lead id) for mobile / ID digests, and the external ids already used in the channel."""
    found: dict[tuple[str, str], int] = {}
    if not leads:
        return found, set()
    mobiles = sorted({lead.mobile_bidx for lead in leads})
    ids = sorted({lead.id_number_bidx for lead in leads if lead.id_number_bidx})
    with connection.cursor() as cursor:
        cursor.execute(*_lookup_sql(mobiles, ids))
        rows = cursor.fetchall()
    for pk, mobile_bidx, id_bidx in sorted(rows):
        found.setdefault(("m", mobile_bidx), pk)
        if id_bidx:
            found.setdefault(("i", id_bidx), pk)
    for key, lead_id in _known_customers(leads).items():
        found.setdefault(key, lead_id)
    externals = {lead.external_id for lead in leads if lead.external_id}
    if externals:
        replays = Lead.objects.filter(channel=channel, external_id__in=externals).values_list("pk", "external_id")
        for pk, external_id in sorted(replays):
            found.setdefault(("e", external_id), pk)
    return found, {key for kind, key in found if kind == "e"}


def _lookup_sql(mobiles: list[str], ids: list[str]) -> tuple[str, list[Any]]:
    """The leads holding any of these mobile or ID digests: (id, mobile digest, ID digest) rows.

    PostgreSQL: one probe of the unique index per digest (a LATERAL subquery with LIMIT 1). The plain ``= ANY(…)``
    form is planned as a sequential scan of the whole table until it holds millions of rows (its cost model assumes
    uncached pages), which made each chunk's lookup grow with the table. ``<> ''`` lets the ID probe use the partial
    unique index."""
    table = connection.ops.quote_name(Lead._meta.db_table)
    columns = "l.id, l.mobile_bidx, l.id_number_bidx"
    if connection.vendor == "postgresql":
        by_mobile = f"SELECT * FROM {table} WHERE mobile_bidx = k LIMIT 1"  # noqa: S608
        by_id = f"SELECT * FROM {table} WHERE id_number_bidx = k AND id_number_bidx <> '' LIMIT 1"  # noqa: S608
        sql = (
            f"SELECT {columns} FROM unnest(%s::text[]) k CROSS JOIN LATERAL ({by_mobile}) l UNION ALL "  # noqa: S608
            f"SELECT {columns} FROM unnest(%s::text[]) k CROSS JOIN LATERAL ({by_id}) l"
        )
        return sql, [pg_array(mobiles), pg_array(ids)]
    in_mobiles, mobile_params = one_of("mobile_bidx", mobiles)
    in_ids, id_params = one_of("id_number_bidx", ids)
    return f"SELECT {columns} FROM {table} l WHERE {in_mobiles} OR {in_ids}", mobile_params + id_params  # noqa: S608


def _known_customers(leads: list[Row]) -> dict[tuple[str, str], int]:
    """(key → first lead of the customer) for rows whose mobile (any of a customer's) or ID number is a customer's."""
    from loancrm.customers.models import Customer, CustomerLead, CustomerMobile  # customers builds on leads

    by_mobile = {lead.customer_digests[0]: lead.mobile_bidx for lead in leads}
    by_id = {lead.customer_digests[1]: lead.id_number_bidx for lead in leads if lead.id_number_bidx}
    customer_of: dict[tuple[str, str], int] = {}
    mobiles, in_mobiles = one_of("mobile_bidx", by_mobile)
    ids, in_ids = one_of("id_number_bidx", by_id)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT customer_id, mobile_bidx FROM {CustomerMobile._meta.db_table} WHERE {mobiles}",  # noqa: S608
            in_mobiles,
        )
        for customer_id, digest in cursor.fetchall():
            customer_of[("m", by_mobile[digest])] = customer_id
        if by_id:
            cursor.execute(f"SELECT id, id_number_bidx FROM {Customer._meta.db_table} WHERE {ids}", in_ids)  # noqa: S608
            for customer_id, digest in cursor.fetchall():
                customer_of[("i", by_id[digest])] = customer_id
    if not customer_of:
        return {}
    first_lead: dict[int, int] = {}
    links = CustomerLead.objects.filter(customer_id__in=set(customer_of.values())).order_by("linked_at", "pk")
    for customer_id, lead_id in links.values_list("customer_id", "lead_id"):
        first_lead.setdefault(customer_id, lead_id)
    return {key: first_lead[customer] for key, customer in customer_of.items() if customer in first_lead}


def _prefilter(channel: Channel, leads: list[Row]) -> None:
    """Mark the leads the pre-filter rules refuse invalid (their ID numbers are already parsed)."""
    rules = PrefilterRules.objects.filter(singleton=1).first() or PrefilterRules()
    today, allowed = current_business_date(), tuple(rules.allowed_province_codes)
    for lead in leads:
        reason = prefilter_reason_parsed(
            parsed=lead.id_parsed, channel_blocked=channel.is_blocked, min_age=rules.min_age, max_age=rules.max_age,
            allowed_provinces=allowed, today=today,
        )  # fmt: skip
        if reason:
            lead.validity, lead.invalid_reason = Validity.INVALID.value, reason


def lead_intake_bulk(
    *,
    channel: Channel,
    rows: Sequence[dict[str, Any]] = (),
    prepared: Sequence[Row | Errors] | None = None,
    actor: Any = None,
    target: models.Model | None = None,
) -> BulkResult:
    """Take one chunk for ``channel`` — raw ``rows``, or the same already through ``prepare_rows`` — and answer one
    outcome per row, in order (see module invariants)."""
    if actor is not None and not actor.has_perm("leads.intake_lead"):
        raise PermissionDenied()
    if prepared is None:
        prepared = prepare_rows(rows, today=timezone.localdate())
    outcomes: list[RowOutcome] = [RowOutcome(INVALID) for _row in prepared]
    candidates: list[tuple[int, Row]] = []
    first_with_key: dict[tuple[str, str], int] = {}
    in_chunk_dups: list[tuple[int, int, Row]] = []  # (row index, index of the earlier row it repeats, row)
    for index, lead in enumerate(prepared):
        if not isinstance(lead, Row):
            outcomes[index].errors = lead
            continue
        lead.org_unit_id = channel.team_id
        keys = _keys(lead)
        earlier = next((first_with_key[key] for key in keys if key in first_with_key), None)
        if earlier is not None:
            in_chunk_dups.append((index, earlier, lead))
            continue
        for key in keys:
            first_with_key[key] = index
        candidates.append((index, lead))
    first_lead = dict(candidates)
    _prefilter(channel, [lead for _i, lead in candidates])
    with transaction.atomic():
        found, replays = _existing_matches(channel, [lead for _i, lead in candidates])
        new = [lead for _i, lead in candidates if not _known(lead, found)]
        now = timezone.now()
        assign_rows(channel, [lead for lead in new if lead.validity == VALID], now)
        created = _insert_ignoring_conflicts(channel, new)
        raced = [lead for lead in new if lead.mobile_bidx not in created]
        if raced:  # inserted by a concurrent intake since the lookup above
            more, more_replays = _existing_matches(channel, raced)
            found, replays = {**more, **found}, replays | more_replays
        hits: list[tuple[int, Row]] = []
        for index, lead in candidates:
            new_id = created.get(lead.mobile_bidx)
            if new_id is not None:
                outcomes[index] = RowOutcome(CREATED, new_id, prefilter_invalid=lead.validity != VALID)
                continue
            existing = min((found[key] for key in _keys(lead) if key in found), default=None)
            outcomes[index] = RowOutcome(DUPLICATE, existing)
            if existing is not None and not (lead.external_id and lead.external_id in replays):
                hits.append((index, lead))
        for index, earlier, lead in in_chunk_dups:
            outcomes[index] = RowOutcome(DUPLICATE, outcomes[earlier].lead_id)
            replay = bool(lead.external_id) and lead.external_id in (replays | {first_lead[earlier].external_id})
            if outcomes[index].lead_id is not None and not replay:
                hits.append((index, lead))
        _record_hits(channel, [(outcomes[i].lead_id, lead) for i, lead in hits])
        new_leads = [(created[lead.mobile_bidx], lead) for lead in new if lead.mobile_bidx in created]
        hooks.on_bulk_intake(
            channel.name,
            new_leads,
            [(lead_id, lead) for i, lead in hits if (lead_id := outcomes[i].lead_id) is not None],
        )
        assigned = record_turns([lead for _id, lead in new_leads], now)
        result = BulkResult(outcomes)
        audit_event(
            actor, "lead.bulk_intake", target, {"channel": channel.code, **result.summary(), "assigned": assigned}
        )
    return result


def _record_hits(channel: Channel, hits: list[tuple[int | None, Row]]) -> None:
    LeadHit.objects.bulk_create(
        [
            LeadHit(lead_id=lead_id, channel=channel, campaign=lead.campaign, external_id=lead.external_id)
            for lead_id, lead in hits
            if lead_id is not None
        ]
    )
    per_lead = Counter(lead_id for lead_id, _lead in hits if lead_id is not None)
    by_count: dict[int, list[int]] = defaultdict(list)
    for lead_id, count in per_lead.items():
        by_count[count].append(lead_id)
    for count, lead_ids in by_count.items():
        Lead.objects.filter(pk__in=lead_ids).update(hit_count=F("hit_count") + count)
