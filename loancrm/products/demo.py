"""Demo catalogue: four products with Chinese-market terms, each published once.

Bound to the demo rule set (``rules.demo.DEMO_NAME``) and the demo scorecard (``scoring.demo.DEMO_NAME``) when
those are published (their apps seed before this one); without them the binding and cut-offs are left out.
Idempotent: a product that has a published version is left alone.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from loancrm.products.models import Product, ProductKind, VersionStatus
from loancrm.products.services import (
    product_create,
    product_version_draft,
    product_version_publish,
    product_version_save,
)
from loancrm.rules import demo as rules_demo
from loancrm.rules.models import RuleSet, RuleSetStatus
from loancrm.scoring import demo as scoring_demo
from loancrm.scoring.models import Scorecard, ScorecardStatus


def _docs(required: tuple[str, ...], optional: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    return [{"type": t, "required": True} for t in required] + [{"type": t, "required": False} for t in optional]


BASIC = ("id_front", "id_back", "bank_card", "credit_report")

DEMO_PRODUCTS: tuple[tuple[str, str, str, dict[str, Any]], ...] = (
    (
        "CONSUMER",
        "消费贷",
        ProductKind.CONSUMER,
        {
            "min_amount": "1000.00",
            "max_amount": "200000.00",
            "min_term_months": 3,
            "max_term_months": 36,
            "methods": ["equal_installment", "equal_principal"],
            "min_rate": "0.072000",
            "max_rate": "0.240000",
            "default_rate": "0.144000",
            "fees": [],
            "penalty_multiplier": "1.50",
            "grace_days": 3,
            "documents": _docs(BASIC, ("income_proof", "social_security")),
            "cutoffs": (550, 515),
        },
    ),
    (
        "CAR",
        "车贷",
        ProductKind.CAR,
        {
            "min_amount": "30000.00",
            "max_amount": "500000.00",
            "min_term_months": 12,
            "max_term_months": 60,
            "methods": ["equal_installment"],
            "min_rate": "0.060000",
            "max_rate": "0.180000",
            "default_rate": "0.096000",
            "fees": [{"name": "GPS 安装费", "kind": "one_off", "amount": "1200.00"}],
            "penalty_multiplier": "1.50",
            "grace_days": 3,
            "documents": _docs((*BASIC, "income_proof")),
            "cutoffs": (555, 520),
        },
    ),
    (
        "MORTGAGE",
        "房抵贷",
        ProductKind.MORTGAGE,
        {
            "min_amount": "100000.00",
            "max_amount": "10000000.00",
            "min_term_months": 12,
            "max_term_months": 120,
            "methods": ["equal_installment", "equal_principal", "interest_only"],
            "min_rate": "0.036500",
            "max_rate": "0.120000",
            "default_rate": "0.060000",
            "fees": [
                {"name": "评估费", "kind": "one_off", "rate": "0.003"},
                {"name": "抵押登记费", "kind": "one_off", "amount": "80.00"},
            ],
            "penalty_multiplier": "1.30",
            "grace_days": 5,
            "compound": False,
            "day_count": 365,
            "documents": _docs((*BASIC, "income_proof"), ("provident_fund", "social_security")),
            "cutoffs": (545, 510),
        },
    ),
    (
        "SME",
        "经营贷",
        ProductKind.BUSINESS,
        {
            "min_amount": "50000.00",
            "max_amount": "3000000.00",
            "min_term_months": 6,
            "max_term_months": 36,
            "methods": ["interest_only", "equal_principal", "equal_installment", "bullet"],
            "min_rate": "0.060000",
            "max_rate": "0.180000",
            "default_rate": "0.108000",
            "fees": [{"name": "账户管理费", "kind": "periodic", "rate": "0.0005"}],
            "penalty_multiplier": "1.50",
            "grace_days": 3,
            "allocation_order": "penalty,interest,fee,principal",
            "documents": _docs((*BASIC, "income_proof")),
            "cutoffs": (555, 518),
        },
    ),
)


@transaction.atomic
def seed() -> list[str]:
    rule_set = RuleSet.objects.filter(name=rules_demo.DEMO_NAME, status=RuleSetStatus.PUBLISHED).first()
    scorecard = Scorecard.objects.filter(name=scoring_demo.DEMO_NAME, status=ScorecardStatus.PUBLISHED).first()
    for code, name, kind, spec in DEMO_PRODUCTS:
        product = Product.objects.filter(code=code).first() or product_create(code=code, name=name, kind=kind)
        if product.versions.filter(status=VersionStatus.PUBLISHED).exists():
            continue
        terms = dict(spec)
        approve, reject = terms.pop("cutoffs")
        if scorecard is not None:
            terms.update(scorecard=scorecard, auto_approve_score=approve, reject_below_score=reject)
        draft = product_version_draft(product=product)
        product_version_save(draft=draft, rule_set=rule_set, **terms)
        product_version_publish(draft=draft)
    return []
