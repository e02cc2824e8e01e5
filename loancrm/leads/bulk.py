"""Set-based lead intake for files: one chunk of rows per call, the same rules as ``lead_intake``.

Invariants: rows are validated by ``clean_lead``; the unique blind indexes decide duplicates inside the database
(``INSERT … ON CONFLICT DO NOTHING RETURNING``, never check-then-insert); a row that repeats an earlier row of the
same chunk (same mobile, ID number or external id) is a duplicate of that earlier row; a duplicate becomes a
``LeadHit`` and raises ``hit_count`` on the existing lead and never changes its owner; a repeated (channel, external
id) is a duplicate without a hit (a replay); pre-filter rules mark created leads invalid; valid new leads are
assigned round-robin over the on-duty agents of the channel's team under capacity, in the INSERT itself (rows that
match an existing lead in a lookup just before are not given a turn; the lookup only saves turns, the INSERT still
decides, and a row that loses a race to a concurrent intake merely wastes its turn); a row whose mobile or ID number
belongs to a customer is a duplicate on that customer's first lead, as in ``lead_intake``; the chunk writes one
audit event.
The caller owns the transaction boundary (one chunk, one transaction) but the call is atomic on its own too.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import cycle
from types import SimpleNamespace
from typing import Any

from django.db import connection, models, transaction
from django.db.models import F
from django.utils import timezone

from loancrm.accounts.models import User
from loancrm.core.audit import audit_event
from loancrm.core.business_date import current_business_date
from loancrm.core.crypto import encrypt
from loancrm.core.errors import PermissionDenied
from loancrm.core.fields import BlindIndexField, EncryptedTextField
from loancrm.core.sql import one_of
from loancrm.leads.assignment import OPEN_STAGES
from loancrm.leads.choices import Validity
from loancrm.leads.models import AgentDuty, Channel, Lead, LeadHit, PrefilterRules
from loancrm.leads.prefilter import prefilter_reason
from loancrm.leads.services import clean_lead
from loancrm.sales import hooks

CREATED, DUPLICATE, INVALID = "created", "duplicate", "invalid"
COLUMNS = [f for f in Lead._meta.concrete_fields if not isinstance(f, models.AutoField)]
# Columns whose Python value needs the field's own conversion for SQLite (the rest are passed as they are).
CONVERTED = {f.attname for f in COLUMNS if isinstance(f, (models.DecimalField, models.DateField))}
BLIND_INDEXES = [f for f in COLUMNS if isinstance(f, BlindIndexField)]
Row = SimpleNamespace  # a lead to insert: its column values by attribute name (cheaper than a model instance)
STAGE = "leads_bulk_stage"  # PostgreSQL session-temporary staging table (emptied at commit)
MAX_PARAMS = 30_000  # below SQLite's default host-parameter limit (32,766) and PostgreSQL's (65,535)


@dataclass
class RowOutcome:
    outcome: str
    lead_id: int | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)
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


def _column_values(column: models.Field[Any, Any], leads: list[Row]) -> list[Any]:
    """The database values of one column; on PostgreSQL (COPY) only ciphertext needs converting."""
    if isinstance(column, EncryptedTextField):
        return [encrypt(str(v), column.aad) if v else v for v in (getattr(lead, column.attname) for lead in leads)]
    if column.attname in CONVERTED and connection.vendor != "postgresql":
        return [column.get_db_prep_save(getattr(lead, column.attname), connection) for lead in leads]
    return [getattr(lead, column.attname) for lead in leads]


def _insert_ignoring_conflicts(leads: list[Row]) -> dict[str, int]:
    """Insert ``leads`` (blind indexes already filled); rows hitting any unique constraint are skipped.

    Returns {mobile digest: new id}. PostgreSQL: COPY into a session-temporary staging table, then one
    INSERT … SELECT … ON CONFLICT DO NOTHING (measured 2x faster than unnest arrays, 3x multi-row VALUES); other
    databases: multi-row VALUES … ON CONFLICT DO NOTHING within their host-parameter limit.
    """
    if not leads:
        return {}
    columns = ", ".join(connection.ops.quote_name(f.column) for f in COLUMNS)
    table = connection.ops.quote_name(Lead._meta.db_table)
    tail = "ON CONFLICT DO NOTHING RETURNING id, mobile_bidx"
    created: dict[str, int] = {}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS {STAGE} ON COMMIT DELETE ROWS AS "  # noqa: S608
                f"SELECT {columns} FROM {table} WITH NO DATA"
            )
            with cursor.copy(f"COPY {STAGE} ({columns}) FROM STDIN") as copy:
                for row in zip(*(_column_values(f, leads) for f in COLUMNS), strict=True):
                    copy.write_row(row)
            cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {STAGE} {tail}")  # noqa: S608
            created.update({str(bidx): int(pk) for pk, bidx in cursor.fetchall()})
            cursor.execute(f"TRUNCATE {STAGE}")
            return created
        per_statement = max(1, MAX_PARAMS // len(COLUMNS))
        row_sql = "(" + ", ".join(["%s"] * len(COLUMNS)) + ")"
        for start in range(0, len(leads), per_statement):
            batch = leads[start : start + per_statement]
            params = [value for row in zip(*(_column_values(f, batch) for f in COLUMNS), strict=True) for value in row]
            rows_sql = ", ".join([row_sql] * len(batch))
            cursor.execute(f"INSERT INTO {table} ({columns}) VALUES {rows_sql} {tail}", params)  # noqa: S608
            created.update({str(bidx): int(pk) for pk, bidx in cursor.fetchall()})
    return created


def _known(lead: Row, found: dict[tuple[str, str], int]) -> bool:
    return any(key in found for key in _keys(lead))


def _existing_matches(channel: Channel, leads: list[Row]) -> tuple[dict[tuple[str, str], int], set[str]]:
    """(key → lowest matching lead id) for mobile / ID digests, and the external ids already used in the channel."""
    mobiles = sorted({lead.mobile_bidx for lead in leads})
    ids = sorted({lead.id_number_bidx for lead in leads if lead.id_number_bidx})
    with connection.cursor() as cursor:
        cursor.execute(*_lookup_sql(mobiles, ids))
        rows = cursor.fetchall()
    found: dict[tuple[str, str], int] = {}
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
        return sql, [mobiles, ids]
    in_mobiles, mobile_params = one_of("mobile_bidx", mobiles)
    in_ids, id_params = one_of("id_number_bidx", ids)
    return f"SELECT {columns} FROM {table} l WHERE {in_mobiles} OR {in_ids}", mobile_params + id_params  # noqa: S608


def _known_customers(leads: list[Row]) -> dict[tuple[str, str], int]:
    """(key → first lead of the customer) for rows whose mobile (any of a customer's) or ID number is a customer's.

    Customers' blind indexes are keyed by their own model, so the rows' values are digested again for them.
    """
    from loancrm.customers.models import Customer, CustomerLead, CustomerMobile  # customers builds on leads

    mobile_field = CustomerMobile._meta.get_field("mobile_bidx")
    id_field = Customer._meta.get_field("id_number_bidx")
    assert isinstance(mobile_field, BlindIndexField) and isinstance(id_field, BlindIndexField)
    by_mobile = {mobile_field.digest(lead.mobile): lead.mobile_bidx for lead in leads}
    by_id = {id_field.digest(lead.id_number): lead.id_number_bidx for lead in leads if lead.id_number}
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
            cursor.execute(
                f"SELECT id, id_number_bidx FROM {Customer._meta.db_table} WHERE {ids}",  # noqa: S608
                in_ids,
            )
            for customer_id, digest in cursor.fetchall():
                customer_of[("i", by_id[digest])] = customer_id
    if not customer_of:
        return {}
    first_lead: dict[int, int] = {}
    links = CustomerLead.objects.filter(customer_id__in=set(customer_of.values())).order_by("linked_at", "pk")
    for customer_id, lead_id in links.values_list("customer_id", "lead_id"):
        first_lead.setdefault(customer_id, lead_id)
    return {key: first_lead[customer] for key, customer in customer_of.items() if customer in first_lead}


def _agents(channel: Channel) -> list[tuple[User, int]]:
    """On-duty agents of the channel's team in round-robin order with their free capacity.

    The duty rows are locked first and the open leads counted after, so a concurrent intake that booked one of these
    agents has committed its lead before it is counted."""
    if channel.team is None:
        return []
    agents = list(
        User.objects.filter(
            is_active=True, groups__role__code="sales_agent", org_unit__path__startswith=channel.team.path
        )
        .exclude(duty__on_duty=False)
        .select_related("org_unit")
        .order_by(F("duty__last_assigned_at").asc(nulls_first=True), "pk")
    )
    AgentDuty.objects.bulk_create([AgentDuty(user=a) for a in agents], ignore_conflicts=True)
    duties = {d.user_id: d for d in AgentDuty.objects.select_for_update().filter(user__in=agents).order_by("user_id")}
    open_leads = _open_leads([a.pk for a in agents])
    room = {a.pk: duties[a.pk].capacity - open_leads.get(a.pk, 0) for a in agents}
    return [(a, room[a.pk]) for a in agents if room[a.pk] > 0]


def _open_leads(agent_ids: list[int]) -> dict[int, int]:
    """Open leads per agent: a ``count(*)`` per agent (an index-only scan of (owner, stage), no sort of the rows)."""
    lead, user = (connection.ops.quote_name(Model._meta.db_table) for Model in (Lead, User))
    agents, in_agents = one_of("u.id", agent_ids)
    stages = ", ".join(["%s"] * len(OPEN_STAGES))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT u.id, (SELECT count(*) FROM {lead} l WHERE l.owner_id = u.id AND l.stage IN ({stages})) "  # noqa: S608
            f"FROM {user} u WHERE {agents}",
            [*OPEN_STAGES, *in_agents],
        )
        return {int(agent_id): int(n) for agent_id, n in cursor.fetchall()}


def _assign(channel: Channel, leads: list[Row]) -> None:
    """Give ``leads`` owners round-robin over the agents with free capacity before they are inserted (the rest stay
    in the team pool), so a lead is written once, already assigned."""
    agents = _agents(channel)
    free = {agent.pk: room for agent, room in agents}
    units = {agent.pk: agent.org_unit_id or channel.team_id for agent, _room in agents}
    rotation = cycle([agent.pk for agent, _room in agents])
    now = timezone.now()
    for lead in leads:
        if not any(free.values()):
            break
        agent_id = next(rotation)
        while free[agent_id] == 0:
            agent_id = next(rotation)
        free[agent_id] -= 1
        lead.owner_id, lead.org_unit_id, lead.assigned_at = agent_id, units[agent_id], now


def _move_rotation(created: list[Row]) -> int:
    """Record each agent's last turn in this chunk so the next chunk continues the rotation; returns assignments."""
    turns = [lead for lead in created if lead.owner_id is not None]
    last_turn = {lead.owner_id: (turn, lead.assigned_at) for turn, lead in enumerate(turns)}
    for agent_id, (turn, at) in last_turn.items():
        AgentDuty.objects.filter(user_id=agent_id).update(last_assigned_at=at + dt.timedelta(microseconds=turn))
    return len(turns)


def _prefilter(channel: Channel, clean: dict[str, Any], rules: PrefilterRules, today: Any) -> str | None:
    return prefilter_reason(
        id_number=clean["id_number"],
        channel_blocked=channel.is_blocked,
        min_age=rules.min_age,
        max_age=rules.max_age,
        allowed_provinces=rules.allowed_province_codes,
        today=today,
    )


def lead_intake_bulk(
    *, channel: Channel, rows: list[dict[str, Any]], actor: Any = None, target: models.Model | None = None
) -> BulkResult:
    """Take one chunk of raw rows for ``channel``; one outcome per row, in order (see module invariants)."""
    if actor is not None and not actor.has_perm("leads.intake_lead"):
        raise PermissionDenied()
    outcomes: list[RowOutcome] = [RowOutcome(INVALID) for _row in rows]
    rules = PrefilterRules.objects.filter(singleton=1).first() or PrefilterRules()
    today, local_today = current_business_date(), timezone.localdate()
    candidates: list[tuple[int, Row]] = []
    defaults = {f.attname: f.get_default() for f in COLUMNS}
    defaults.update(channel_id=channel.pk, org_unit_id=channel.team_id)
    first_with_key: dict[tuple[str, str], int] = {}
    in_chunk_dups: list[tuple[int, int, Row]] = []  # (row index, index of the earlier row it repeats, row)
    for index, raw in enumerate(rows):
        clean, errors = clean_lead(raw, today=local_today)
        if errors:
            outcomes[index].errors = errors
            continue
        lead = Row(**{**defaults, **clean})
        reason = _prefilter(channel, clean, rules, today)
        if reason:
            lead.validity, lead.invalid_reason = Validity.INVALID, reason
        for index_field in BLIND_INDEXES:
            setattr(lead, index_field.attname, index_field.digest(getattr(lead, index_field.source)))
        earlier = next((first_with_key[key] for key in _keys(lead) if key in first_with_key), None)
        if earlier is not None:
            in_chunk_dups.append((index, earlier, lead))
            continue
        for key in _keys(lead):
            first_with_key[key] = index
        candidates.append((index, lead))
    first_lead = dict(candidates)
    with transaction.atomic():
        found, replays = _existing_matches(channel, [lead for _i, lead in candidates])
        _assign(
            channel, [lead for _i, lead in candidates if lead.validity == Validity.VALID and not _known(lead, found)]
        )
        created = _insert_ignoring_conflicts([lead for _i, lead in candidates if not _known(lead, found)])
        raced = [lead for _i, lead in candidates if lead.mobile_bidx not in created and not _known(lead, found)]
        if raced:  # inserted by a concurrent intake since the lookup above
            more, more_replays = _existing_matches(channel, raced)
            found, replays = {**more, **found}, replays | more_replays
        hits: list[tuple[int, Row]] = []
        for index, lead in candidates:
            new_id = created.get(lead.mobile_bidx)
            if new_id is not None:
                outcomes[index] = RowOutcome(CREATED, new_id, prefilter_invalid=lead.validity == Validity.INVALID)
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
        hooks.on_bulk_intake(
            channel.name,
            [(created[lead.mobile_bidx], lead) for _i, lead in candidates if lead.mobile_bidx in created],
            [(lead_id, lead) for i, lead in hits if (lead_id := outcomes[i].lead_id) is not None],
        )
        assigned = _move_rotation([lead for _i, lead in candidates if lead.mobile_bidx in created])
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
