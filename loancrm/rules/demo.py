"""Demo rule set: a sensible default pre-screen, published once.

Idempotent: nothing is done when a published rule set named ``DEMO_NAME`` exists.
"""

from __future__ import annotations

from django.db import transaction

from loancrm.rules.models import RuleAction, RuleSet, RuleSetStatus
from loancrm.rules.services import rule_save, rule_set_draft_create, rule_set_publish

DEMO_NAME = "default-prescreen"

DEMO_RULES: tuple[tuple[str, str, str, str, str], ...] = (
    ("age_range", "age < 18 || age > 65", RuleAction.REJECT, "R01_AGE", "年龄不在 18–65 周岁之间"),
    ("blacklist", "blacklist_hit", RuleAction.REJECT, "R02_BLACKLIST", "命中黑名单"),
    ("court", "court_records > 0", RuleAction.REJECT, "R03_COURT", "有法院执行或失信记录"),
    (
        "multi_lending",
        "multi_lending_count_3m >= 5",
        RuleAction.MANUAL_REVIEW,
        "M01_MULTI_LENDING",
        "近 3 个月多头借贷",
    ),
    ("dti", "debt_to_income > 0.6", RuleAction.MANUAL_REVIEW, "M02_DTI", "负债收入比高于 60%"),
    ("overdue_now", "overdue_accounts > 0", RuleAction.FLAG, "F01_OVERDUE", "征信有当前逾期账户"),
    ("overdue_history", "max_overdue_months >= 3", RuleAction.FLAG, "F02_OVERDUE_HISTORY", "历史逾期达 3 期"),
    ("inquiries", "inquiries_1m >= 4", RuleAction.FLAG, "F03_INQUIRIES", "近 1 个月征信查询频繁"),
)


@transaction.atomic
def seed() -> list[str]:
    if RuleSet.objects.filter(name=DEMO_NAME, status=RuleSetStatus.PUBLISHED).exists():
        return []
    draft = rule_set_draft_create(name=DEMO_NAME, notes="演示用默认初审规则")
    for code, expression, action, reason_code, description in DEMO_RULES:
        rule_save(
            rule_set=draft,
            code=code,
            expression=expression,
            action=action,
            reason_code=reason_code,
            description=description,
        )
    rule_set_publish(rule_set=draft)
    return []
