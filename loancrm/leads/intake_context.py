"""Everything one lead intake reads before it writes, in one round trip.

The channel, the pre-filter rules, the business date, the follow-up SLA, the channel's assignment rule for the
campaign (the campaign's own rule wins over the channel-wide one), the receiving team, and the leads the submission
may repeat: an earlier answer to the same (channel, external id), the lead of a customer who already has this
mobile or ID number, and an existing lead with this mobile or ID number. Nothing is cached, so a change made on a
settings page is seen by the next intake. The duplicate columns only save work: the unique indexes still decide
when the lead is inserted.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.db import connection
from django.utils import timezone

from loancrm.leads.models import AssignmentRule, Channel, PrefilterRules
from loancrm.sales.models import SlaSettings


@dataclass(frozen=True)
class Team:
    pk: int
    path: str


@dataclass(frozen=True)
class IntakeContext:
    channel: Channel
    min_age: int
    max_age: int
    allowed_provinces: list[str]
    business_date: dt.date
    first_call_minutes: int
    rule: AssignmentRule | None
    team: Team | None  # the rule's receiving team, else the channel's
    replay_id: int | None
    customer_lead_id: int | None
    existing_id: int | None


def _default(model: type[Any], name: str) -> int:
    """The field default of a settings singleton that was never saved."""
    return int(model._meta.get_field(name).get_default())


def json_value(raw: Any) -> Any:
    """A JSON column read by a raw cursor: text on SQLite (and for Django's PostgreSQL loader), else decoded."""
    return json.loads(raw) if isinstance(raw, (str, bytes)) else raw


def date_value(raw: Any) -> dt.date:
    return raw if isinstance(raw, dt.date) else dt.date.fromisoformat(str(raw))


@cache
def _sql() -> str:
    from loancrm.customers.selectors import KNOWN_CUSTOMER_LEAD_SQL  # customers builds on leads

    return f"""
SELECT c.id, c.code, c.name, c.is_blocked, c.team_id, c.partner_id,
       p.min_age, p.max_age, p.allowed_province_codes, b."current", s.first_call_minutes,
       r.id, r.campaign, r.strategy, r.team_id, r.weights, r.regions,
       t.id, t.path,
       (SELECT l.id FROM leads_lead l WHERE l.channel_id = c.id AND l.external_id = %s AND l.external_id <> ''),
       ({KNOWN_CUSTOMER_LEAD_SQL}),
       (SELECT MIN(l.id) FROM leads_lead l
        WHERE l.mobile_bidx = %s OR (l.id_number_bidx = %s AND l.id_number_bidx <> ''))
FROM leads_channel c
LEFT JOIN leads_prefilterrules p ON p.singleton = 1
LEFT JOIN core_businessdate b ON b.singleton = 1
LEFT JOIN sales_slasettings s ON s.singleton = 1
LEFT JOIN leads_assignmentrule r ON r.id = (
    SELECT r2.id FROM leads_assignmentrule r2
    WHERE r2.channel_id = c.id AND r2.active AND r2.campaign IN (%s, '') ORDER BY r2.campaign DESC LIMIT 1)
LEFT JOIN accounts_orgunit t ON t.id = COALESCE(r.team_id, c.team_id)
WHERE c.code = %s"""  # noqa: S608 (table names only; every value is a parameter)


def intake_context(
    *, channel_code: str, campaign: str, external_id: str, mobile_bidx: str, id_number_bidx: str,
    customer_params: list[str],
) -> IntakeContext | None:  # fmt: skip
    """The context of one submission, or None when the channel code is unknown."""
    params = [external_id, *customer_params, mobile_bidx, id_number_bidx, campaign, channel_code]
    with connection.cursor() as cursor:
        cursor.execute(_sql(), params)
        row = cursor.fetchone()
    if row is None:
        return None
    (c_id, code, name, blocked, team_id, partner_id, min_age, max_age, provinces, business_date, first_call,
     r_id, r_campaign, strategy, r_team_id, weights, regions, t_id, t_path, replay_id, customer_lead_id,
     existing_id) = row  # fmt: skip
    channel = Channel(id=c_id, code=code, name=name, is_blocked=bool(blocked), team_id=team_id, partner_id=partner_id)
    channel._state.adding, channel._state.db = False, connection.alias
    rule = None
    if r_id is not None:
        rule = AssignmentRule(
            id=r_id, channel_id=c_id, campaign=r_campaign, strategy=strategy, team_id=r_team_id,
            weights=json_value(weights) or {}, regions=json_value(regions) or {}, active=True,
        )  # fmt: skip
        rule._state.adding, rule._state.db = False, connection.alias
    return IntakeContext(
        channel=channel,
        min_age=_default(PrefilterRules, "min_age") if min_age is None else int(min_age),
        max_age=_default(PrefilterRules, "max_age") if max_age is None else int(max_age),
        allowed_provinces=list(json_value(provinces) or []),
        business_date=timezone.localdate() if business_date is None else date_value(business_date),
        first_call_minutes=_default(SlaSettings, "first_call_minutes") if first_call is None else int(first_call),
        rule=rule,
        team=Team(int(t_id), str(t_path)) if t_id is not None else None,
        replay_id=replay_id,
        customer_lead_id=customer_lead_id,
        existing_id=existing_id,
    )
