"""Demo leads: channels bound to the demo teams and a few hundred leads through the real intake service.

Idempotent: every demo lead carries an external id, so a second run replays instead of creating.
"""

from __future__ import annotations

import random
from decimal import Decimal

from faker import Faker

from loancrm.accounts.models import OrgUnit
from loancrm.leads.models import Channel, Lead
from loancrm.leads.services import lead_intake

CHANNELS = [
    ("baidu", "百度信息流", "BJ-SALES1", ["百度信息流-2026Q3", "百度信息流-2026Q4"]),
    ("douyin", "抖音", "BJ-SALES2", ["抖音开屏-双十一"]),
    ("website", "官网", "SH-SALES1", ["官网自然流量"]),
    ("offline", "线下活动", "BJ-SALES1", ["朝阳社区推介会"]),
    ("rong360", "融360", "SH-SALES1", ["融360-API"]),
]
DEMO_LEADS = 400


def seed() -> list[str]:
    for code, name, team_code, _campaigns in CHANNELS:
        Channel.objects.get_or_create(code=code, defaults={"name": name, "team": OrgUnit.objects.get(code=team_code)})
    if Lead.objects.filter(external_id__startswith="demo-").count() >= DEMO_LEADS:
        return []
    fake, rng = Faker("zh_CN"), random.Random(2026)  # noqa: S311 (reproducible demo data)
    Faker.seed(2026)
    for i in range(DEMO_LEADS):
        code, _name, _team, campaigns = rng.choice(CHANNELS)
        lead_intake(
            data={
                "channel": code,
                "campaign": rng.choice(campaigns),
                "external_id": f"demo-{i}",
                "name": fake.name(),
                "mobile": fake.phone_number(),
                "id_number": fake.ssn() if rng.random() < 0.7 else "",
                "city": fake.city_name(),
                "desired_amount": Decimal(rng.choice([20000, 50000, 80000, 100000, 200000, 300000])),
                "desired_product": rng.choice(["消费贷", "车贷", "经营贷"]),
            }
        )
    return []
