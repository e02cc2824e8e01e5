"""external_fetch needs a consent, answers from the cache, retries and stores every outcome; context_fields maps."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest

from loancrm.compliance.services import ConsentRequired, consent_give, consent_text_publish, consent_withdraw
from loancrm.core.models import AuditEvent
from loancrm.customers.models import Customer
from loancrm.customers.tests.factories import ID_1990
from loancrm.externaldata import services
from loancrm.externaldata.models import ExternalQuery, QueryStatus
from loancrm.externaldata.providers import ProviderUnavailable
from loancrm.externaldata.simulator import Simulator

BODY = "本人同意贵司为审核贷款申请之目的查询本人信用报告，期限至贷款结清。"


@pytest.fixture
def customer(db):
    consent_text_publish(actor=None, purpose="credit_bureau", title="征信授权", body=BODY)
    return Customer.objects.create(name="张三", id_number=ID_1990)


@pytest.fixture
def consented(customer):
    consent_give(subject=customer, purpose="credit_bureau", channel="branch")
    return customer


@pytest.fixture
def provider(monkeypatch):
    """One simulator instance for every call, so tests can count calls and inject failures."""
    sim = Simulator()
    monkeypatch.setattr(services, "provider_for", lambda kind: sim)
    return sim


def test_without_consent_the_query_is_refused_and_recorded(customer, provider):
    with pytest.raises(ConsentRequired) as refused:
        services.external_fetch(customer, "bureau", actor=None)
    assert refused.value.code == "consent_required"
    row = ExternalQuery.objects.get()
    assert (row.status, row.attempts, row.response, provider.calls) == (QueryStatus.REFUSED_NO_CONSENT, 0, {}, 0)
    assert AuditEvent.objects.filter(action="externaldata.queried", data__status="refused_no_consent").count() == 1


def test_a_withdrawn_consent_refuses_even_a_cached_answer(consented, provider):
    services.external_fetch(consented, "bureau", actor=None)
    consent_withdraw(subject=consented, purpose="credit_bureau", channel="branch")
    with pytest.raises(ConsentRequired):
        services.external_fetch(consented, "bureau", actor=None)
    assert provider.calls == 1


def test_fetch_stores_the_answer_and_a_fresh_one_is_served_from_the_cache(consented, provider):
    first = services.external_fetch(consented, "bureau", actor=None)
    second = services.external_fetch(consented, "bureau", actor=None)
    assert first.pk == second.pk and provider.calls == 1
    assert (first.status, first.attempts, first.provider) == (QueryStatus.OK, 1, "simulator")
    assert first.consent is not None and first.response == services.to_json(Simulator().bureau(ID_1990, timeout_s=1))
    assert ID_1990 not in str(first.response)
    assert AuditEvent.objects.filter(action="externaldata.queried", data__query=first.pk).count() == 1


def test_a_stale_cache_calls_the_provider_again(consented, provider):
    services.external_fetch(consented, "bureau", actor=None)
    ExternalQuery.objects.update(completed_at=ExternalQuery.objects.get().completed_at - services.dt.timedelta(days=31))
    services.external_fetch(consented, "bureau", actor=None)
    assert provider.calls == 2 and ExternalQuery.objects.count() == 2


def test_a_timeout_is_retried_and_the_success_stored_with_its_attempts(consented, provider):
    provider.fail_first = 1
    row = services.external_fetch(consented, "multi_lending", actor=None, backoff_s=0)
    assert (row.status, row.attempts, provider.calls) == (QueryStatus.OK, 2, 2)
    assert ExternalQuery.objects.count() == 1


def test_when_every_attempt_fails_the_failure_is_stored_and_raised(consented, provider):
    provider.fail_first, provider.failure = 10, ProviderUnavailable
    with pytest.raises(services.ExternalDataUnavailable):
        services.external_fetch(consented, "bureau", actor=None, retries=2, backoff_s=0)
    row = ExternalQuery.objects.get()
    assert (row.status, row.attempts, row.response) == (QueryStatus.FAILED, 3, {"error": "ProviderUnavailable"})
    provider.fail_first, provider.calls, provider.latency_s = 0, 0, 5.0
    with pytest.raises(services.ExternalDataUnavailable):
        services.external_fetch(consented, "bureau", actor=None, retries=1, backoff_s=0, timeout_s=1.0)
    assert ExternalQuery.objects.order_by("-id").first().status == QueryStatus.TIMEOUT


class Hanging:
    """A provider that ignores its timeout and blocks until released."""

    name = "hanging"

    def __init__(self):
        self.release = threading.Event()

    def bureau(self, key, *, timeout_s):
        self.release.wait(5)
        return Simulator().bureau(key, timeout_s=timeout_s)


def test_a_provider_that_ignores_its_timeout_is_abandoned_as_a_timeout(consented, monkeypatch):
    hanging = Hanging()
    monkeypatch.setattr(services, "provider_for", lambda kind: hanging)
    try:
        with pytest.raises(services.ExternalDataUnavailable):
            services.external_fetch(consented, "bureau", actor=None, retries=1, backoff_s=0, timeout_s=0.05)
    finally:
        hanging.release.set()
    row = ExternalQuery.objects.get()
    assert (row.status, row.attempts, row.provider) == (QueryStatus.TIMEOUT, 2, "hanging")


def test_context_fields_come_from_the_latest_answers(consented, provider):
    assert services.context_fields(consented) == {}
    for kind in ("bureau", "multi_lending", "court", "blacklist"):
        services.external_fetch(consented, kind, actor=None)
    bureau, multi = Simulator().bureau(ID_1990, timeout_s=1), Simulator().multi_lending(ID_1990, timeout_s=1)
    court, hit = Simulator().court(ID_1990, timeout_s=1), Simulator().blacklist(ID_1990, timeout_s=1)
    assert services.context_fields(consented) == {
        "inquiries_1m": bureau.inquiries_1m, "inquiries_3m": bureau.inquiries_3m,
        "inquiries_6m": bureau.inquiries_6m, "overdue_accounts": bureau.overdue_accounts,
        "max_overdue_months": bureau.max_overdue_months, "outstanding_debt": bureau.outstanding_debt,
        "multi_lending_count_3m": multi.count_3m, "multi_lending_count_6m": multi.count_6m,
        "court_records": court.enforcement_count, "blacklist_hit": hit.internal_hit or hit.external_hit,
    }  # fmt: skip
    assert isinstance(services.context_fields(consented)["outstanding_debt"], Decimal)


def test_a_consent_given_on_the_lead_counts_for_its_customer(customer, provider, org):
    from loancrm.accounts.tests.factories import make_user
    from loancrm.customers.models import CustomerLead
    from loancrm.customers.tests.factories import make_lead

    lead = make_lead(make_user("agent", unit=org.bj_team1), "13800138000", id_number=ID_1990)
    CustomerLead.objects.create(customer=customer, lead=lead)
    consent_give(subject=lead, purpose="credit_bureau", channel="h5")
    assert services.external_fetch(customer, "bureau", actor=None).status == QueryStatus.OK


def test_a_corporate_is_looked_up_by_its_credit_code(customer, provider):
    from loancrm.customers.models import CorporateProfile
    from loancrm.customers.tests.factories import valid_credit_code

    company = Customer.objects.create(name="某某科技有限公司", kind="corporate")
    CorporateProfile.objects.create(customer=company, credit_code=valid_credit_code("91110105MA01ABCD1"))
    consent_give(subject=company, purpose="credit_bureau", channel="branch")
    row = services.external_fetch(company, "business_registry", actor=None)
    assert row.response["name"].startswith("模拟企业") and row.response["legal_representative_masked"].endswith("**")


def test_the_demo_queries_a_few_consenting_customers_once(customer, provider):
    from loancrm.externaldata import demo

    Customer.objects.create(name="李四")  # no ID number: not queried
    assert demo.seed() == []
    assert sorted(ExternalQuery.objects.values_list("kind", "status")) == [("bureau", "ok"), ("multi_lending", "ok")]
    events = AuditEvent.objects.count()
    demo.seed()
    assert ExternalQuery.objects.count() == 2 and AuditEvent.objects.count() == events
