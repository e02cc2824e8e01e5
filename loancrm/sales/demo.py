"""Demo follow-up work: tags, scripts, and each demo lead's history played through the real services.

Every lead walks a plausible path from its arrival (first call minutes to hours later, then days between stages,
some refusals with reasons, some never reached), with the clock moved to each step, so the timeline, tasks,
funnel durations and tags are what real use would have produced. Steps that would lie in the future are not
played, so recent leads sit in early stages with open tasks. Idempotent: nothing is played twice.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import time_machine
from django.db import transaction
from django.utils import timezone

from loancrm.leads.choices import Stage, Validity
from loancrm.leads.models import Lead
from loancrm.leads.pipeline import lead_stage_change
from loancrm.leads.pool import return_stale_leads
from loancrm.sales.models import FollowUp, RefusalReason, Script, ScriptKind, Tag, TagColor
from loancrm.sales.services import followup_record

TAGS = [
    ("高意向", TagColor.GREEN, "positive_follow_ups >= 2", "两次及以上积极跟进"),
    ("多次进线", TagColor.ORANGE, "hit_count >= 1", "同一客户从多个渠道再次提交"),
    ("大额需求", TagColor.PURPLE, "desired_amount >= 200000.0", "意向金额 20 万及以上"),
    ("优质客户", TagColor.BLUE, "", "收入稳定、征信良好"),
    ("风险关注", TagColor.RED, "", "存在多头借贷或负面信息"),
]
SCRIPTS = [
    (
        ScriptKind.SCRIPT,
        "首次外呼开场白",
        "",
        Stage.NEW,
        "开场 首呼",
        "您好，我是XX消费金融的客户经理小X。看到您在我们平台咨询了贷款，想花两分钟了解一下您的资金需求，方便吗？",
    ),
    (
        ScriptKind.SCRIPT,
        "需求挖掘",
        "",
        Stage.CONTACTED,
        "需求 用途",
        "请问这笔资金主要用于什么？大概需要多少、用多久？您目前的工作单位和月收入大概是多少？",
    ),
    (
        ScriptKind.SCRIPT,
        "材料准备提醒",
        "",
        Stage.PREPARING,
        "材料 身份证",
        "需要准备：身份证正反面、本人银行卡、近六个月银行流水或社保公积金截图；经营贷另需营业执照。",
    ),
    (
        ScriptKind.OBJECTION,
        "利率太高",
        "",
        "",
        "利率 太贵 高",
        "理解您的顾虑。我们的年化利率按您的资质定价，最低可到 X%；提前还款无违约金，按日计息，实际成本比看上去更低。",
    ),
    (
        ScriptKind.OBJECTION,
        "担心影响征信",
        "",
        "",
        "征信 查询",
        "正式申请前不会查询您的征信；审批时的查询是贷款审批查询，按时还款还能帮您积累良好的信用记录。",
    ),
    (
        ScriptKind.OBJECTION,
        "已在别家借款",
        "",
        Stage.CONTACTED,
        "他处 别家",
        "可以了解一下您现在的利率和月供吗？如果我们的方案更合适，可以帮您降低整体还款压力。",
    ),
    (
        ScriptKind.FAQ,
        "多久能放款？",
        "",
        "",
        "放款 时效",
        "资料齐全的情况下，审批一般 1 个工作日内完成，签约后最快当天放款。",
    ),
    (ScriptKind.FAQ, "车贷需要押车吗？", "车贷", "", "押车 车贷", "不需要押车，只需办理抵押登记，车辆您可以正常使用。"),
    (
        ScriptKind.FAQ,
        "经营贷需要哪些材料？",
        "经营贷",
        Stage.INTERESTED,
        "经营 营业执照",
        "营业执照、近一年经营流水、经营场所租赁合同或产权证明，以及法定代表人身份证。",
    ),
]
POINTS = [
    "介绍了产品利率、期限和还款方式，客户关心月供金额。",
    "客户询问是否可以提前还款，已说明按日计息、无违约金。",
    "客户在比较多家机构，约定发送方案后再联系。",
    "确认了资金用途为装修，收入来源为工资。",
    "客户表示需要和家人商量。",
    "已说明需要准备的材料清单。",
    "客户对额度有顾虑，已解释额度评估方式。",
]


def _seed_reference_data() -> None:
    for name, color, rule, description in TAGS:
        Tag.objects.get_or_create(name=name, defaults={"color": color, "rule": rule, "description": description})
    for position, (kind, title, product, stage, keywords, body) in enumerate(SCRIPTS, start=1):
        Script.objects.get_or_create(
            title=title,
            defaults={"kind": kind, "product": product, "stage": stage, "keywords": keywords, "body": body,
                      "position": position * 10},
        )  # fmt: skip


class _Walk:
    """Plays one lead's history; each step runs at its own moment and only if that moment has passed."""

    def __init__(self, lead: Lead, rng: random.Random, now: datetime, reasons: list[RefusalReason]):
        self.lead, self.rng, self.now, self.reasons = lead, rng, now, reasons
        self.clock = lead.created_at

    def at(self, delay: timedelta, step: Callable[..., Any], *args: Any, **kwargs: Any) -> bool:
        self.clock += delay
        if self.clock >= self.now:
            return False
        with time_machine.travel(self.clock, tick=False):
            step(*args, **kwargs)
        return True

    def follow_up(self, outcome: str, before: str, after: str, reason: RefusalReason | None = None) -> None:
        owner = self.lead.owner
        followup_record(actor=owner, lead_id=self.lead.pk, points=self.rng.choice(POINTS), outcome=outcome,
                        intention_before=before, intention_after=after,
                        refusal_reason_id=reason.pk if reason else None)  # fmt: skip

    def move(self, stage: str, *, system: bool = False) -> None:
        lead_stage_change(actor=None if system else self.lead.owner, lead_id=self.lead.pk, stage=stage, system=system)

    def hours(self, low: float, high: float) -> timedelta:
        return timedelta(hours=self.rng.uniform(low, high))

    def play(self) -> None:
        rng = self.rng
        if rng.random() < 0.12:
            return  # never worked
        first = "positive" if rng.random() < 0.55 else "neutral"
        if not self.at(
            timedelta(minutes=rng.choice([2, 3, 4, 6, 9, 15, 40, 180])), lambda: self.follow_up(first, "low", "medium")
        ):
            return  # fmt: skip
        path = [
            (Stage.INTERESTED, 0.72, self.hours(20, 96), False),
            (Stage.PREPARING, 0.7, self.hours(24, 120), False),
            (Stage.APPLIED, 0.75, self.hours(12, 72), True),
            (Stage.DISBURSED, 0.62, self.hours(48, 168), True),
        ]
        for stage, chance, delay, system in path:
            if rng.random() > chance:
                reason = rng.choice(self.reasons)
                self.at(delay, self.follow_up, "refused", "medium", "none", reason)
                return
            if not system and not self.at(delay / 2, self.follow_up, "positive", "medium", "high"):
                return
            if not self.at(delay / 2, self.move, stage, system=system):
                return


def seed() -> list[str]:
    _seed_reference_data()
    demo = Lead.objects.filter(external_id__startswith="demo-")
    if FollowUp.objects.filter(lead__in=demo).exists():
        return []
    rng, now = random.Random(4), timezone.now()  # noqa: S311 (reproducible demo data)
    reasons = list(RefusalReason.objects.filter(active=True))
    leads = demo.filter(validity=Validity.VALID, owner__isnull=False).select_related("owner", "channel")
    with transaction.atomic():
        for lead in leads.order_by("created_at", "pk"):
            if lead.owner is not None and lead.owner.is_active:
                _Walk(lead, rng, now, reasons).play()
        return_stale_leads(now=now)  # what the nightly job would have done: unworked leads back in the pool
    return []
