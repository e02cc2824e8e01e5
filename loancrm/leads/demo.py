"""Demo leads: channels bound to the demo teams, assignment rules, and thousands of leads through the real intake
service, arriving over the last five months (the clock is moved to each arrival, so every timestamp is real).

Idempotent: every demo lead carries an external id, so a second run replays instead of creating.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal

import time_machine
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from faker import Faker

from loancrm.accounts.models import OrgUnit, User
from loancrm.leads.models import AgentDuty, AssignmentRule, AssignmentStrategy, Channel, Lead
from loancrm.leads.services import lead_intake

CHANNELS = [
    ("baidu", "百度信息流", "BJ-SALES1", ["百度信息流-2026Q3", "百度信息流-2026Q4"]),
    ("douyin", "抖音", "BJ-SALES2", ["抖音开屏-双十一", "抖音信息流-秋季"]),
    ("website", "官网", "BJ-SALES1", ["官网自然流量"]),
    ("offline", "线下活动", "BJ-SALES1", ["朝阳社区推介会", "浦东商户沙龙"]),
    ("rong360", "融360", "SH-SALES1", ["融360-API"]),
]
RULES = [
    ("douyin", "", AssignmentStrategy.WEIGHTED, {"sales3": 2, "sales4": 1}, {}),
    ("website", "", AssignmentStrategy.BY_REGION, {}, {"31": "SH-SALES1", "上海": "SH-SALES1", "11": "BJ-SALES1"}),
    ("baidu", "", AssignmentStrategy.BY_CAPACITY, {}, {}),
]
DEMO_CAPACITY = 1000
HISTORY_DAYS = 150


def arrival(rng: random.Random, now: datetime) -> datetime:
    """A past arrival time, denser recently, during the day (08:00–22:00 local)."""
    day = timezone.localtime(now).date() - timedelta(days=min(int(rng.expovariate(1 / 40)), HISTORY_DAYS))
    moment = timezone.make_aware(datetime(day.year, day.month, day.day, rng.randint(8, 21), rng.randint(0, 59)))
    return moment - timedelta(days=1) if moment > now else moment


def seed() -> list[str]:
    teams = {code: OrgUnit.objects.get(code=code) for _c, _n, code, _cs in CHANNELS}
    for code, name, team_code, _campaigns in CHANNELS:
        Channel.objects.get_or_create(code=code, defaults={"name": name, "team": teams[team_code]})
    for code, campaign, strategy, weights, regions in RULES:
        AssignmentRule.objects.get_or_create(
            channel=Channel.objects.get(code=code), campaign=campaign,
            defaults={"strategy": strategy, "weights": weights, "regions": regions},
        )  # fmt: skip
    for agent in User.objects.filter(groups__role__code="sales_agent", leads__isnull=True).distinct():
        AgentDuty.objects.get_or_create(user=agent, defaults={"capacity": DEMO_CAPACITY})
    total = settings.LOANCRM_DEMO_LEADS
    if Lead.objects.filter(external_id__startswith="demo-").count() >= total:
        return []
    fake, rng = Faker("zh_CN"), random.Random(2026)  # noqa: S311 (reproducible demo data)
    Faker.seed(2026)
    now = timezone.now()
    people = [
        (rng.choice(CHANNELS), fake.name(), fake.phone_number(), fake.ssn(min_age=18, max_age=62), fake.city_name())  # type: ignore[call-arg]
        for _ in range(total)
    ]
    moments = sorted(arrival(rng, now) for _ in range(total))
    with transaction.atomic():
        for i, ((channel, name, mobile, ssn, city), moment) in enumerate(zip(people, moments, strict=True)):
            code, _name, _team, campaigns = channel
            data = {
                "channel": code, "campaign": rng.choice(campaigns), "external_id": f"demo-{i}", "name": name,
                "mobile": mobile, "id_number": ssn if rng.random() < 0.7 else "", "city": city,
                "desired_amount": Decimal(rng.choice([20000, 50000, 80000, 100000, 200000, 300000])),
                "desired_product": rng.choice(["消费贷", "车贷", "经营贷"]),
            }  # fmt: skip
            with time_machine.travel(moment, tick=False):
                lead_intake(data=data)
    return []
