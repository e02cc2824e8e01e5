"""Fixtures of the contract tests: private storage and the seal certificate in temporary folders, people."""

from __future__ import annotations

import pytest

from loancrm.accounts.tests.factories import make_user
from loancrm.contracts.tests.factories import PASSPHRASE, make_approved_application, write_test_certificate


@pytest.fixture(scope="session")
def seal_file(tmp_path_factory):
    return write_test_certificate(tmp_path_factory.mktemp("seal") / "seal.p12")


@pytest.fixture(autouse=True)
def _media_and_seal(settings, tmp_path, seal_file):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LOANCRM_SEAL_PKCS12 = str(seal_file)
    settings.LOANCRM_SEAL_PASSPHRASE = PASSPHRASE


@pytest.fixture
def people(org):
    return {
        "agent": make_user("agent1", role="sales_agent", unit=org.bj_team1),
        "reviewer": make_user("rev1", role="credit_reviewer", unit=org.bj_team1),
        "supervisor": make_user("sup1", role="credit_supervisor", unit=org.bj_team1),
        "ops": make_user("ops1", role="operations", unit=org.hq),
        "admin": make_user("admin_c", role="administrator", unit=org.hq),
    }


@pytest.fixture
def approved(people):
    return make_approved_application(people["agent"])
