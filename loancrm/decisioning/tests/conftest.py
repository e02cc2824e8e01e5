"""Fixtures of the decisioning tests: the demo rule set, a small published scorecard, a product version bound to
both, customers with a credit-bureau consent whose simulated bureau profile is clean or severe, and submitted
applications."""

from __future__ import annotations

from typing import Any

import pytest

from loancrm.accounts.tests.factories import make_user
from loancrm.applications.services import application_submit
from loancrm.applications.tests.factories import make_application, make_customer, make_version
from loancrm.compliance.services import consent_give, consent_text_publish
from loancrm.customers.tests.factories import valid_id
from loancrm.externaldata import services as external_services
from loancrm.externaldata.simulator import CLEAN, SEVERE, Simulator, band_of
from loancrm.rules import demo as rules_demo
from loancrm.rules.models import RuleSet
from loancrm.scoring.services import scorecard_publish, scorecard_train
from loancrm.scoring.synthetic import generate


def id_in_band(band: str, *, start: int = 0) -> str:
    """The first valid ID number (born 1990-06-15) from serial ``start`` whose simulated profile is in ``band``;
    a clean one also has fewer than 5 multi-lending institutions in 3 months and at most 3 inquiries in a month."""
    sim = Simulator()
    for n in range(start, start + 5000):
        number = valid_id(f"44030519900615{n % 1000:03d}")
        if band_of(number) != band:
            continue
        if band == CLEAN:
            bureau, multi = sim.bureau(number, timeout_s=1), sim.multi_lending(number, timeout_s=1)
            if multi.count_3m >= 5 or bureau.inquiries_1m >= 4:
                continue
        return number
    raise AssertionError(band)


@pytest.fixture
def people(org):
    return {
        "agent": make_user("agent1", role="sales_agent", unit=org.bj_team1),
        "other_agent": make_user("agent_sh", role="sales_agent", unit=org.sh_team1),
        "reviewer": make_user("rev1", role="credit_reviewer", unit=org.hq),
        "supervisor": make_user("sup1", role="credit_supervisor", unit=org.bj_team1),
        "director": make_user("dir1", role="credit_director", unit=org.bj),
        "sh_director": make_user("dir_sh", role="credit_director", unit=org.sh),
        "admin": make_user("admin1", role="administrator", unit=org.hq),
    }


@pytest.fixture
def provider(monkeypatch):
    """One simulator for every external-data call (tests count calls and inject failures)."""
    sim = Simulator()
    monkeypatch.setattr(external_services, "provider_for", lambda kind: sim)
    return sim


@pytest.fixture
def rule_set(db) -> RuleSet:
    rules_demo.seed()
    return RuleSet.objects.get(name=rules_demo.DEMO_NAME)


@pytest.fixture
def scorecard(db):
    card, _report = scorecard_train(rows=generate(2000, seed=2026), target="bad", name="test-card")
    return scorecard_publish(scorecard=card)


@pytest.fixture
def bind(rule_set, scorecard):
    """``bind(auto_approve, reject_below)``: a new published version of product CASH with these cut-offs."""

    def make(auto_approve: int | None = 600, reject_below: int | None = 500, **changes: Any):
        return make_version(
            rule_set=rule_set, scorecard=scorecard, auto_approve_score=auto_approve, reject_below_score=reject_below,
            **changes,
        )  # fmt: skip

    return make


@pytest.fixture
def consent_text(db):
    return consent_text_publish(
        actor=None,
        purpose="credit_bureau",
        title="征信授权",
        body="本人同意贵司为审核贷款申请之目的查询本人信用报告，期限至贷款结清。",
    )


@pytest.fixture
def customer_in(people, consent_text):
    """``customer_in(band, consent=True)``: a customer of the agent with a clean or severe simulated profile."""
    serial = iter(range(0, 100000, 1000))

    def make(band: str = CLEAN, *, consent: bool = True, **extra: Any):
        number = id_in_band(band, start=next(serial) // 10)
        customer = make_customer(people["agent"], id_number=number, education="bachelor", **extra)
        if consent:
            consent_give(subject=customer, purpose="credit_bureau", channel="branch")
        return customer

    return make


@pytest.fixture
def submitted(people):
    """``submitted(customer, version, **values)``: an application made and submitted by the agent."""

    def make(customer, version, **values: Any):
        application = make_application(people["agent"], customer, version, **values)
        return application_submit(actor=people["agent"], application_id=application.pk)

    return make


__all__ = ["CLEAN", "SEVERE", "id_in_band"]
