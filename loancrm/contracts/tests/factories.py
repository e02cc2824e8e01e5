"""Factories of the contract tests: an approved application (through the lifecycle), a test seal certificate."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from loancrm.applications import lifecycle
from loancrm.applications.choices import Status
from loancrm.applications.models import Application
from loancrm.applications.services import application_set_status
from loancrm.applications.tests.factories import make_application, make_customer, make_version
from loancrm.contracts.certs import self_signed_pkcs12

TERMS = lifecycle.ApprovedTerms(
    amount=Decimal("50000.00"), annual_rate=Decimal("0.144000"), term_months=12, method="equal_installment"
)
PASSPHRASE = "test-seal-passphrase"


def make_approved_application(actor: Any, *, terms: lifecycle.ApprovedTerms = TERMS, **version: Any) -> Application:
    product_version = make_version(**version)
    application = make_application(actor, make_customer(actor), product_version)
    for status in (Status.SUBMITTED, Status.PRE_SCREENING, Status.MANUAL_REVIEW):
        application_set_status(application_id=application.pk, status=status, actor=actor)
    return lifecycle.credit_approve(application_id=application.pk, terms=terms, actor=actor, reason="ok")


def write_test_certificate(path: Path) -> Path:
    path.write_bytes(self_signed_pkcs12(organisation="测试贷款公司", common_name="Test seal", passphrase=PASSPHRASE))
    return path
