"""Demo data: bureau and multi-lending answers from the simulator for a few demo customers (idempotent).

The first demo customers with an ID number get the credit-bureau consent recorded in branch (as a lender's staff
would on the paper authorisation) unless they ever held one; only customers with a consent in force are queried,
and a stored answer is reused, so a second run adds nothing.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType

from loancrm.compliance.models import Channel, Consent
from loancrm.compliance.services import consent_give, current_text
from loancrm.customers.choices import Kind as CustomerKind
from loancrm.customers.models import Customer
from loancrm.externaldata.models import ExternalQuery, Kind, QueryStatus
from loancrm.externaldata.services import CONSENT_PURPOSE, customer_consent, external_fetch

DEMO_QUERIED = 8


def seed() -> list[str]:
    if current_text(CONSENT_PURPOSE) is None:
        return []
    customers = (
        Customer.objects.filter(kind=CustomerKind.INDIVIDUAL).exclude(id_number_bidx="").order_by("pk")[:DEMO_QUERIED]
    )
    subject_type = ContentType.objects.get_for_model(Customer)
    for customer in customers:
        ever = Consent.objects.filter(subject_type=subject_type, subject_id=customer.pk, purpose=CONSENT_PURPOSE)
        if customer_consent(customer) is None and not ever.exists():
            consent_give(subject=customer, purpose=CONSENT_PURPOSE, channel=Channel.BRANCH, actor=customer.owner)
        if customer_consent(customer) is None:
            continue
        for kind in (Kind.BUREAU, Kind.MULTI_LENDING):
            if not ExternalQuery.objects.filter(customer=customer, kind=kind, status=QueryStatus.OK).exists():
                external_fetch(customer, kind, actor=customer.owner)
    return []
