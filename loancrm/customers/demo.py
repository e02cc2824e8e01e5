"""Demo customers: a few hundred demo leads converted through ``lead_convert`` with full profiles filled through
the section services, plus twenty corporate borrowers with valid unified social credit codes.

Idempotent: leads already linked are skipped and a corporate code already on file is not created again, so a
second run adds nothing. Ages are 18–60 (leads outside that range were marked invalid at intake).
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any, cast

from faker import Faker

from loancrm.accounts.models import User
from loancrm.core.china_ids import CREDIT_CODE_CHARSET, credit_code_check_char
from loancrm.customers import services
from loancrm.customers.choices import (
    Education,
    FinancialAssetType,
    MaritalStatus,
    PartyRelation,
    PropertyType,
    Relationship,
)
from loancrm.customers.models import CorporateProfile, Customer, CustomerLead
from loancrm.leads.choices import Validity
from loancrm.leads.models import Lead

DEMO_CUSTOMERS = 300
DEMO_COMPANIES = 20
INDUSTRIES = ["制造业", "批发和零售业", "信息技术服务业", "建筑业", "交通运输业", "餐饮业", "农业"]
REGIONS = ["110105", "110108", "310115", "310104", "440305", "330106"]
BRANDS = ["比亚迪", "大众", "丰田", "本田", "吉利", "特斯拉", "理想"]


def _ssn(fake: Faker, min_age: int, max_age: int) -> str:
    """A valid ID number (Faker zh_CN computes the check digit) of someone aged ``min_age``–``max_age``."""
    return str(cast(Any, fake).ssn(min_age=min_age, max_age=max_age))


def _money(rng: random.Random, low: int, high: int, step: int = 100) -> Decimal:
    return Decimal(rng.randrange(low, high, step))


def _fill_profile(customer_id: int, actor: Any, fake: Faker, rng: random.Random) -> None:
    common = {"actor": actor, "customer_id": customer_id}
    customer = services.customer_update_identity(
        **common, name=Customer.objects.get(pk=customer_id).name, marital_status=rng.choice(MaritalStatus.values),
        education=rng.choice(Education.values), children_count=rng.choice([0, 0, 1, 1, 2, 3]),
    )  # fmt: skip
    customer.refresh_from_db()
    mobiles = [{"id": m.pk, "mobile": None, "is_primary": m.is_primary} for m in customer.mobiles.all()]
    services.customer_update_contacts(
        **common, mobiles=mobiles, email=fake.free_email(), residence_address=fake.address(),
        hukou_address=fake.address(),
        emergency_contacts=[{"name": fake.name(), "relationship": rng.choice(Relationship.values),
                             "mobile": fake.phone_number()} for _ in range(rng.randint(1, 2))],
    )  # fmt: skip
    income = _money(rng, 4000, 60000)
    services.customer_update_employment(
        **common, employer=fake.company(), occupation=fake.job()[:60], job_title=rng.choice(["职员", "主管", "经理"]),
        years_employed=rng.randint(0, 20), monthly_income=income, employer_phone=fake.phone_number(),
    )  # fmt: skip
    homes: list[dict[str, Any]] = []
    cars: list[dict[str, Any]] = []
    mortgage, car_loan = Decimal(0), Decimal(0)
    for _ in range(rng.choice([0, 1, 1, 2])):
        balance = _money(rng, 100000, 700000, 1000) if rng.random() < 0.6 else None
        mortgage += balance or 0
        homes.append({"property_type": rng.choice([PropertyType.APARTMENT, PropertyType.HOUSE]),
                      "value": _money(rng, 800000, 8000000, 10000), "has_mortgage": balance is not None,
                      "mortgage_balance": balance})  # fmt: skip
    for _ in range(rng.choice([0, 1])):
        balance = _money(rng, 10000, 80000, 1000) if rng.random() < 0.4 else None
        car_loan += balance or 0
        cars.append({"brand": rng.choice(BRANDS), "price": _money(rng, 80000, 400000, 1000),
                     "has_loan": balance is not None, "loan_balance": balance})  # fmt: skip
    assets = [{"asset_type": rng.choice(FinancialAssetType.values), "value": _money(rng, 10000, 500000)}
              for _ in range(rng.choice([0, 1, 2]))]  # fmt: skip
    services.customer_update_assets(**common, properties=homes, vehicles=cars, financial_assets=assets)
    cards = rng.randint(0, 6)
    services.customer_update_liabilities(
        **common,
        values={"credit_card_count": cards, "credit_card_limit": Decimal(cards * 20000),
                "credit_card_used": _money(rng, 0, cards * 15000 + 100), "credit_loan_balance": _money(rng, 0, 100000),
                "mortgage_balance": mortgage, "mortgage_monthly": (mortgage / 150).quantize(Decimal("0.01")),
                "car_loan_balance": car_loan, "car_loan_monthly": (car_loan / 24).quantize(Decimal("0.01"))},
    )  # fmt: skip
    accounts = rng.randint(3, 25)
    three = rng.randint(0, 4)
    services.customer_update_credit(
        **common,
        values={"report_date": dt.date.today() - dt.timedelta(days=rng.randint(1, 60)), "account_count": accounts,
                "overdue_account_count": (overdue := rng.choice([0, 0, 0, 1, 2])),
                "max_overdue_months": rng.randint(1, 3) if overdue else 0, "inquiries_3m": three,
                "inquiries_6m": three + rng.randint(0, 4), "outstanding_debt": mortgage + car_loan,
                "zhima_score": rng.randint(550, 850)},
    )  # fmt: skip


def _credit_code(rng: random.Random) -> str:
    org_code = "".join(rng.choice(CREDIT_CODE_CHARSET[:10]) for _ in range(8)) + rng.choice(CREDIT_CODE_CHARSET)
    first17 = "91" + rng.choice(REGIONS) + org_code
    return first17 + credit_code_check_char(first17)


def _seed_companies(fake: Faker, owners: list[User]) -> None:
    """Company ``i`` always draws from its own seed, so a rerun regenerates the same codes and skips them."""
    for i in range(DEMO_COMPANIES):
        rng = random.Random(32100 + i)  # noqa: S311 (reproducible demo data)
        code = _credit_code(rng)
        if CorporateProfile.objects.filter(credit_code=code).exists():
            continue
        name, owner = fake.company(), rng.choice(owners)
        founded = fake.date_between(start_date="-25y", end_date="-2y")
        capital = _money(rng, 1000000, 50000000, 100000)
        rep_name, rep_id = fake.name(), _ssn(fake, 30, 60)
        company = services.corporate_customer_create(
            actor=owner, name=name, credit_code=code, registered_capital=capital, industry=rng.choice(INDUSTRIES),
            business_scope="一般项目：技术服务、技术开发、技术咨询；货物进出口。", established_on=founded,
            legal_rep_name=rep_name, legal_rep_id_number=rep_id, registered_address=fake.address(),
        )  # fmt: skip
        revenue = _money(rng, 5000000, 200000000, 10000)
        statements = []
        for year in range(dt.date.today().year - 3, dt.date.today().year):
            revenue = (revenue * Decimal(rng.uniform(0.85, 1.3))).quantize(Decimal("0.01"))
            assets = (revenue * Decimal("1.4")).quantize(Decimal("0.01"))
            profit = (revenue * Decimal(rng.uniform(-0.05, 0.12))).quantize(Decimal("0.01"))
            debt = (assets * Decimal(rng.uniform(0.3, 0.7))).quantize(Decimal("0.01"))
            statements.append(
                {
                    "year": year,
                    "revenue": revenue,
                    "total_assets": assets,
                    "net_profit": profit,
                    "total_liabilities": debt,
                }
            )
        services.customer_update_financials(actor=owner, customer_id=company.pk, statements=statements)
        share = rng.choice([51, 60, 70, 100])
        parties = [{"name": rep_name, "relation": PartyRelation.SHAREHOLDER, "share_pct": share, "identifier": rep_id}]
        if share < 100:
            parties.append({"name": fake.company(), "relation": PartyRelation.SHAREHOLDER, "share_pct": 100 - share,
                            "identifier": _credit_code(rng)})  # fmt: skip
        services.customer_update_related_parties(actor=owner, customer_id=company.pk, parties=parties)


def seed() -> list[str]:
    fake, rng = Faker("zh_CN"), random.Random(4)  # noqa: S311 (reproducible demo data)
    Faker.seed(4)
    candidates = (
        Lead.objects.filter(external_id__startswith="demo-", validity=Validity.VALID, owner__isnull=False)
        .exclude(customer_link__isnull=False)
        .select_related("owner")
        .order_by("pk")
    )
    missing = DEMO_CUSTOMERS - CustomerLead.objects.filter(lead__external_id__startswith="demo-").count()
    for lead in list(candidates[: max(missing, 0)]):
        id_number = "" if lead.id_number else _ssn(fake, 18, 60)
        result = services.lead_convert(actor=lead.owner, lead_id=lead.pk, id_number=id_number)
        if result.created:
            _fill_profile(result.customer.pk, lead.owner, fake, rng)
    owners = list(User.objects.filter(username__in=["sales", "saleslead", "sales_sh"]).order_by("username"))
    if owners:
        _seed_companies(fake, owners)
    return []
