"""Demo contracts: a published template per demo product; for up to ``LIMIT`` credit-approved demo applications
(status approved or auto-approved, with approved terms) a generated contract, most of them signed by every party
through the real services (the simulated SMS codes are read back from the SMS outbox), one with a guarantor who has
not signed yet, and the rest awaiting signatures.

Works on whatever the earlier stages left (found by application status), with or without the other #8 apps;
idempotent: nothing is done when demo contracts exist. Rendering a PDF takes one to three seconds, so the number
of contracts is kept small (one per customer, shortest schedules first); the time taken is logged. Without the seal
certificate (``make demo`` writes one) the contracts are generated but left unsigned.
"""

from __future__ import annotations

import logging
import re
import time
from typing import Any

from django.contrib.auth import get_user_model

from loancrm.applications.choices import Status
from loancrm.applications.models import Application
from loancrm.contracts import services
from loancrm.contracts.choices import ContractStatus
from loancrm.contracts.models import Contract, ContractParty
from loancrm.core.errors import DomainError
from loancrm.messaging.models import SmsMessage
from loancrm.products.models import Product, ProductVersion, VersionStatus

log = logging.getLogger(__name__)
LIMIT = 8
SIGNED = 5  # the first five are signed by every party
GUARANTOR = ("钱七", "110105198001011238", "13600000088")


def _actor() -> Any:
    users = get_user_model().objects.filter(is_active=True)
    return users.filter(username="ops").first() or users.filter(is_superuser=True).first()


def _sign(party: ContractParty) -> None:
    services.contract_sign_code_send(token=party.token)
    message = SmsMessage.objects.filter(template_code="contract_sign_code").order_by("-id").first()
    found = re.search(r"(\d{6})", message.text if message is not None else "")
    if found is None:
        raise RuntimeError("no simulated SMS code")
    services.contract_party_sign(token=party.token, code=found.group(1), read_confirmed=True)


def seed() -> list[str]:
    products = Product.objects.filter(
        pk__in=ProductVersion.objects.filter(status=VersionStatus.PUBLISHED).values("product_id")
    )
    for product in products.order_by("code"):
        services.template_for_product(product)
    if Contract.objects.filter(status__in=[ContractStatus.AWAITING_SIGNATURES, ContractStatus.SIGNED]).exists():
        return []
    rows = (
        Application.objects.filter(status__in=[Status.APPROVED, Status.AUTO_APPROVED], approved_amount__isnull=False)
        .exclude(contract__status__in=[ContractStatus.SIGNED, ContractStatus.CANCELLED])
        .order_by("approved_term_months", "pk")  # short schedules render fastest
    )
    candidates: list[Application] = []
    for application in rows.iterator():  # one contract per customer: a mobile gets one SMS code a minute
        if len(candidates) < LIMIT and all(a.customer_id != application.customer_id for a in candidates):
            candidates.append(application)
    actor = _actor()
    started, generated, signed = time.monotonic(), 0, 0
    fully = min(SIGNED, max(len(candidates) - 2, 1))  # most signed; one half-signed (guarantor), the rest waiting
    for index, application in enumerate(candidates):
        try:
            contract = services.contract_generate(application_id=application.pk, actor=actor)
            generated += 1
            if index == fully:
                name, id_number, mobile = GUARANTOR
                services.contract_guarantor_add(contract_id=contract.pk, name=name, id_number=id_number,
                                                mobile=mobile, actor=actor)  # fmt: skip
                _sign(contract.parties.get(role="borrower"))
            elif index < fully:
                for party in contract.parties.order_by("position"):
                    _sign(party)
                signed += 1
        except DomainError as exc:
            log.warning("demo contract of %s: %s", application.number, exc)
    if generated:
        log.info("contracts demo: %s generated, %s signed and sealed in %.1f s", generated, signed,
                 time.monotonic() - started)  # fmt: skip
    return []
