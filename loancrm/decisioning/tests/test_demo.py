"""The decisioning demo: every demo application is submitted and decided; the cut-offs are brought into the demo
scorecard's range; a second run adds nothing."""

from __future__ import annotations

import pytest

from loancrm.applications.models import Application
from loancrm.decisioning import demo
from loancrm.decisioning.models import Decision
from loancrm.decisioning.tests.conftest import CLEAN
from loancrm.products import demo as products_demo
from loancrm.products.models import ProductVersion, VersionStatus
from loancrm.rules import demo as rules_demo
from loancrm.scoring import demo as scoring_demo

pytestmark = pytest.mark.django_db


def test_demo_decides_each_application_and_is_idempotent(provider, customer_in):
    scoring_demo.seed()
    rules_demo.seed()
    products_demo.seed()
    customer_in(CLEAN)
    customer_in(CLEAN)
    customer_in(CLEAN, consent=False)

    demo.seed()

    applications = Application.objects.filter(external_ref__startswith=demo.REF_PREFIX)
    assert applications.count() == 2 * demo.PER_CUSTOMER + 1
    assert Decision.objects.filter(application__in=applications).count() == applications.count()
    assert not applications.filter(status__in=["draft", "submitted", "pre_screening"]).exists()
    decisions = list(Decision.objects.filter(application__in=applications))
    without = [d for d in decisions if d.reasons[:1] == ["NO_CREDIT_CONSENT"]]
    assert len(without) == 1 and without[0].outcome == "manual_review"
    for version in ProductVersion.objects.filter(status=VersionStatus.PUBLISHED, product__code__in=demo.PLANS):
        assert version.auto_approve_score is not None and version.auto_approve_score < 600  # calibrated

    demo.seed()
    assert Application.objects.filter(external_ref__startswith=demo.REF_PREFIX).count() == applications.count()
