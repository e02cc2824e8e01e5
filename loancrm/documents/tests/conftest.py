"""Fixtures of the documents tests: private storage in a temporary folder, people, an application with a checklist."""

from __future__ import annotations

import pytest

from loancrm.accounts.tests.factories import make_user
from loancrm.applications.principal import CustomerPrincipal
from loancrm.documents.tests.factories import make_documents_application


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def people(org):
    return {
        "agent": make_user("agent1", role="sales_agent", unit=org.bj_team1),
        "other_agent": make_user("agent_sh", role="sales_agent", unit=org.sh_team1),
        "reviewer": make_user("rev1", role="credit_supervisor", unit=org.bj_team1),
        "collector": make_user("coll", role="collector", unit=org.bj_team1),
        "admin": make_user("admin_d", role="administrator", unit=org.hq),
    }


@pytest.fixture
def application(people):
    return make_documents_application(people["agent"])


@pytest.fixture
def principal(application):
    return CustomerPrincipal(application.customer_id, application.customer.number)
