"""Factories for application tests: a published product version, an individual customer in an owner's scope,
and an application draft made through the service."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

from loancrm.applications.choices import Channel
from loancrm.applications.models import Application
from loancrm.applications.services import application_create
from loancrm.customers.models import Customer, CustomerMobile
from loancrm.customers.services.common import apply_id_number
from loancrm.customers.tests.factories import valid_id
from loancrm.products.models import Product, ProductKind, ProductVersion
from loancrm.products.services import (
    product_create,
    product_version_draft,
    product_version_publish,
    product_version_save,
)

TERMS: dict[str, Any] = {
    "min_amount": "5000.00",
    "max_amount": "200000.00",
    "min_term_months": 6,
    "max_term_months": 36,
    "methods": ["equal_installment", "equal_principal"],
    "min_rate": "0.080000",
    "max_rate": "0.240000",
    "default_rate": "0.144000",
    "documents": [],
}
_serial = itertools.count(1)


def make_version(code: str = "CASH", **changes: Any) -> ProductVersion:
    """The published version of product ``code`` (created on first use) with ``TERMS`` and ``changes``."""
    product = Product.objects.filter(code=code).first() or product_create(
        code=code, name="现金贷", kind=ProductKind.CONSUMER
    )
    draft = product_version_draft(product=product)
    product_version_save(draft=draft, **(TERMS | changes))
    return product_version_publish(draft=draft)


def make_customer(
    owner: Any = None,
    *,
    name: str = "李四",
    id_number: str | None = None,
    monthly_income: Decimal | None = Decimal("12000.00"),
    **extra: Any,
) -> Customer:
    n = next(_serial)
    customer = Customer.objects.create(
        name=name, owner=owner, org_unit=getattr(owner, "org_unit", None), monthly_income=monthly_income, **extra
    )
    apply_id_number(customer, id_number or valid_id(f"1101051990{n % 12 + 1:02d}15{n % 1000:03d}"))
    customer.number = f"C{customer.pk:08d}"
    customer.save()
    CustomerMobile.objects.create(customer=customer, mobile=f"139{n:08d}", is_primary=True)
    return customer


VALUES: dict[str, Any] = {
    "amount": "50000.00",
    "term_months": 12,
    "method": "equal_installment",
    "purpose": "decoration",
    "monthly_income": "12000.00",
    "monthly_debt": "1500.00",
    "employment_years": "4.5",
    "housing": "rented",
}


def make_application(actor: Any, customer: Customer, version: ProductVersion, **values: Any) -> Application:
    return application_create(
        actor=actor,
        customer_id=customer.pk,
        product_version_id=version.pk,
        channel=Channel.BRANCH,
        values=VALUES | values,
    )
