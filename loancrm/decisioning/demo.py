"""Demo decisions: about forty applications across the four demo products, each submitted and pre-screened.

The applicants are the demo customers with a credit-bureau consent in force (``externaldata.demo`` records it for
the first few), each applying a few times with different declarations and products, plus two customers without a
consent (their applications go to manual review: ``NO_CREDIT_CONSENT``). Applications are made and submitted
through ``applications.services`` by the customer's account manager, with the demo documents attached first
(``documents.demo.add_demo_documents``; should a submission check still refuse one, it is moved to submitted with
``application_set_status`` instead), then decided by ``application_prescreen``, so each has a real decision.
Reproducible (seeded) and idempotent: nothing is done when the demo applications exist.

The demo products' cut-offs (``products.demo``) lie inside the demo scorecard's score range, so all three
outcomes occur.
"""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

from loancrm.applications.choices import Channel, Housing, Purpose, Status
from loancrm.applications.models import Application
from loancrm.applications.services import application_create, application_set_status, application_submit
from loancrm.core.errors import DomainError, ValidationFailed
from loancrm.customers.choices import Kind as CustomerKind
from loancrm.customers.models import Customer
from loancrm.decisioning.services import application_prescreen
from loancrm.externaldata.services import customer_consent
from loancrm.products.models import ProductVersion, VersionStatus

REF_PREFIX = "demo-decisioning-"
DEBT_SHARES = ("0", "0.05", "0.1", "0.2", "0.35")
PER_CUSTOMER = 5
WITHOUT_CONSENT = 2

# product code → (amount range in yuan, terms in months, purposes)
PLANS: dict[str, tuple[tuple[int, int], tuple[int, ...], tuple[str, ...]]] = {
    "CONSUMER": ((10_000, 150_000), (12, 24, 36), (Purpose.CONSUMPTION, Purpose.DECORATION, Purpose.TRAVEL)),
    "CAR": ((60_000, 260_000), (24, 36, 48, 60), (Purpose.CAR,)),
    "MORTGAGE": ((200_000, 1_200_000), (60, 84, 120), (Purpose.DECORATION, Purpose.BUSINESS)),
    "SME": ((80_000, 600_000), (12, 24, 36), (Purpose.BUSINESS,)),
}


def _values(rng: random.Random, customer: Customer, version: ProductVersion) -> dict[str, Any]:
    (low, high), terms, purposes = PLANS[version.product.code]
    base = customer.monthly_income or Decimal(rng.randrange(6_000, 30_000, 500))
    income = (base * Decimal(rng.choice(("0.7", "0.9", "1.0", "1.2", "1.6", "2.5")))).quantize(Decimal("1"))
    amount = Decimal(min(max(rng.randrange(low, high, 1_000), int(version.min_amount)), int(version.max_amount)))
    term = min(max(rng.choice(terms), version.min_term_months), version.max_term_months)
    return {
        "amount": f"{amount:.2f}",
        "term_months": term,
        "method": version.methods[0],
        "purpose": rng.choice(purposes),
        "monthly_income": f"{income:.2f}",
        "monthly_debt": f"{(income * Decimal(rng.choice(DEBT_SHARES))).quantize(Decimal('1')):.2f}",
        "employment_years": f"{rng.choice(('0.5', '1.5', '3', '5', '8', '12')):s}",
        "housing": rng.choice(Housing.values),
    }


def _submit(application: Application, actor: Any) -> None:
    from loancrm.documents.demo import add_demo_documents

    add_demo_documents(application, full=True)
    try:
        application_submit(actor=actor, application_id=application.pk)
    except ValidationFailed:
        application_set_status(application_id=application.pk, status=Status.SUBMITTED, actor=actor,
                               reason="demo: submitted without the checklist")  # fmt: skip


def seed() -> list[str]:
    if Application.objects.filter(external_ref__startswith=REF_PREFIX).exists():
        return []
    versions = list(
        ProductVersion.objects.filter(status=VersionStatus.PUBLISHED, product__active=True, product__code__in=PLANS)
        .select_related("product", "scorecard")
        .order_by("product__code")
    )
    if not versions:
        return []
    individuals = (
        Customer.objects.filter(kind=CustomerKind.INDIVIDUAL, owner__isnull=False)
        .exclude(id_number_bidx="")
        .select_related("owner")
        .order_by("pk")
    )
    consenting: list[Customer] = []
    without: list[Customer] = []
    for customer in individuals[:60]:
        (consenting if customer_consent(customer) is not None else without).append(customer)
    rng = random.Random(2026)  # noqa: S311 (reproducible demo data)
    plan = [(c, versions[(i + k) % len(versions)]) for i, c in enumerate(consenting) for k in range(PER_CUSTOMER)]
    plan += [(c, versions[i % len(versions)]) for i, c in enumerate(without[:WITHOUT_CONSENT])]
    for serial, (customer, version) in enumerate(plan, start=1):
        try:
            application = application_create(
                actor=customer.owner, customer_id=customer.pk, product_version_id=version.pk, channel=Channel.BRANCH,
                values=_values(rng, customer, version), external_ref=f"{REF_PREFIX}{serial:03d}",
            )  # fmt: skip
            _submit(application, customer.owner)
            application_prescreen(application_id=application.pk)
        except DomainError:
            continue
    return []
