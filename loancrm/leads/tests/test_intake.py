"""Lead intake: cleaning, race-free de-duplication, idempotency, pre-filter, round-robin assignment, API."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.db import connection, connections
from django.test import Client

from loancrm.accounts import services as account_services
from loancrm.accounts.models import User
from loancrm.accounts.tests.factories import make_user
from loancrm.core.models import AuditEvent
from loancrm.core.testing.access import assert_scoped
from loancrm.leads.batch import lead_intake_batch
from loancrm.leads.choices import IntakeOutcome, Validity
from loancrm.leads.models import AgentDuty, Channel, Lead, LeadHit, PrefilterRules
from loancrm.leads.services import lead_intake

ADULT_ID = "11010519900615001X"  # born 1990-06-15 (check digit computed below)


def valid_id(first17: str) -> str:
    from loancrm.core.china_ids import id_check_digit

    return first17 + id_check_digit(first17)


@pytest.fixture
def setup(org):
    agents = [make_user(f"agent{i}", role="sales_agent", unit=org.bj_team1) for i in range(2)]
    baidu = Channel.objects.create(code="baidu", name="百度信息流", team=org.bj_team1)
    return agents, baidu


def lead(**extra):
    return {"channel": "baidu", "mobile": "13812345678", "name": "张三", "campaign": "百度信息流-2024Q2", **extra}


def test_a_lead_is_cleaned_created_assigned_and_audited(setup):
    agents, _channel = setup
    result = lead_intake(
        data=lead(mobile="+86 138-1234-5678", desired_amount="50000", id_number=valid_id("11010519900615001"))
    )
    created = Lead.objects.get()
    assert result.outcome == IntakeOutcome.CREATED and result.lead == created
    assert created.mobile == "13812345678" and created.desired_amount == Decimal("50000.00")
    assert created.owner in agents and created.assigned_at is not None and created.org_unit == created.owner.org_unit
    (event,) = AuditEvent.objects.all()
    assert event.action == "lead.created" and event.data["owner"] == created.owner.username
    assert event.data["strategy"] == "round_robin"


def test_round_robin_alternates_between_on_duty_agents_under_capacity(setup):
    agents, _channel = setup
    owners = [lead_intake(data=lead(mobile=f"1390000000{i}")).lead.owner for i in range(4)]
    assert owners[0] != owners[1] and owners[0] == owners[2] and owners[1] == owners[3]
    AgentDuty.objects.filter(user=agents[0]).update(on_duty=False)
    AgentDuty.objects.filter(user=agents[1]).update(capacity=2)
    pooled = lead_intake(data=lead(mobile="13900000009")).lead
    assert pooled.owner is None and pooled.org_unit is not None


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"mobile": "12345"}, "mobile", "请输入有效的中国大陆手机号"),
        ({"id_number": "110105199006150010"}, "id_number", "校验位"),
        ({"desired_amount": "-1"}, "desired_amount", "金额"),
        ({"channel": "nope"}, "channel", "未知的渠道"),
    ],
)
def test_bad_input_is_answered_field_by_field_and_writes_nothing(setup, change, field, message):
    result = lead_intake(data=lead(**change))
    assert result.outcome == IntakeOutcome.INVALID and message in result.errors[field][0]
    assert not Lead.objects.exists() and not AuditEvent.objects.exists()


def test_the_same_person_again_is_a_hit_on_the_existing_lead_and_keeps_its_owner(setup, org):
    first = lead_intake(data=lead()).lead
    other = Channel.objects.create(code="app", name="App", team=org.sh_team1)
    again = lead_intake(data=lead(channel="app", campaign="App 开屏"))
    assert again.outcome == IntakeOutcome.DUPLICATE
    assert Lead.objects.count() == 1 and Lead.objects.get().owner == first.owner
    hit = LeadHit.objects.get()
    assert (hit.lead, hit.channel, hit.campaign) == (first, other, "App 开屏")
    assert Lead.objects.get().hit_count == 1


def test_an_id_number_match_with_another_mobile_is_a_duplicate(setup):
    id_number = valid_id("11010519900615001")
    lead_intake(data=lead(id_number=id_number))
    assert lead_intake(data=lead(mobile="13999999999", id_number=id_number.lower())).outcome == IntakeOutcome.DUPLICATE
    assert Lead.objects.count() == 1


def test_an_external_id_replay_gives_the_same_answer_without_a_hit(setup):
    first = lead_intake(data=lead(external_id="bd-1"))
    replay = lead_intake(data=lead(external_id="bd-1"))
    assert replay.outcome == IntakeOutcome.CREATED and replay.replay and replay.lead == first.lead
    assert not LeadHit.objects.exists()


@pytest.mark.parametrize(
    ("first17", "rules", "reason"),
    [
        ("11010520100615001", {}, "age"),
        ("11010519500615001", {}, "age"),
        ("44030519900615001", {"allowed_province_codes": ["11", "31"]}, "province 44"),
    ],
)
def test_prefilter_marks_leads_invalid_with_a_reason_and_does_not_assign(setup, first17, rules, reason):
    PrefilterRules.objects.create(**rules)
    created = lead_intake(data=lead(id_number=valid_id(first17))).lead
    assert created.validity == Validity.INVALID and reason in created.invalid_reason and created.owner is None


def test_reasons_read_in_the_users_language(setup):
    PrefilterRules.objects.create(allowed_province_codes=["11"])
    young = lead_intake(data=lead(id_number=valid_id("11010520100615001"))).lead
    far = lead_intake(data=lead(mobile="13900000002", id_number=valid_id("44030519900615001"))).lead
    assert young.invalid_reason_label.startswith("年龄 ") and young.invalid_reason_label.endswith("不在 18–60 之间")
    assert far.invalid_reason_label == "不受理省份 44"


def test_someone_born_after_the_business_date_is_too_young_not_an_error(setup):
    from django.utils import timezone

    from loancrm.core.models import BusinessDate

    today = timezone.localdate()
    BusinessDate.objects.create(singleton=1, current=today - timedelta(days=1))
    created = lead_intake(data=lead(id_number=valid_id(f"110105{today:%Y%m%d}001"))).lead
    assert created.validity == Validity.INVALID and created.invalid_reason == "born after the business date"
    assert created.invalid_reason_label == "出生日期晚于营业日"


def test_blocked_channels_make_invalid_leads(setup):
    Channel.objects.filter(code="baidu").update(is_blocked=True)
    assert lead_intake(data=lead()).lead.validity == Validity.INVALID


def test_batch_answers_each_item(setup):
    results = lead_intake_batch(items=[lead(), lead(), lead(mobile="bad"), lead(mobile="13700000000")])
    assert [r.outcome for r in results] == ["created", "duplicate", "invalid", "created"]


@pytest.fixture
def partner(setup):
    _agents, channel = setup
    user = make_user("baidu_api", kind="partner")
    user.user_permissions.add(Permission.objects.get(codename="intake_lead"))
    Channel.objects.filter(pk=channel.pk).update(partner=user)
    admin = make_user("boss", role="administrator")
    _token, secret = account_services.api_token_create(
        actor=admin, user_id=user.pk, name="百度", scopes=["leads:write"]
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def post(path, body, auth):
    return Client().post(path, json.dumps(body), content_type="application/json", **auth)


def test_partner_api_single_and_batch(partner, org):
    created = post("/api/v1/leads", lead(external_id="x1"), partner)
    assert created.status_code == 201 and created.json()["outcome"] == "created" and created.json()["lead_id"]
    replay = post("/api/v1/leads", lead(external_id="x1"), partner)
    assert replay.status_code == 200 and replay.json()["lead_id"] == created.json()["lead_id"]
    duplicate = post("/api/v1/leads", lead(external_id="x2"), partner)
    assert duplicate.json() == {"outcome": "duplicate", "lead_id": None, "fields": {}}
    invalid = post("/api/v1/leads", lead(mobile="1"), partner)
    assert invalid.status_code == 422 and "mobile" in invalid.json()["fields"]
    batch = post("/api/v1/leads/batch", {"items": [lead(mobile="13700000001"), lead(mobile="x")]}, partner)
    assert batch.json()["created"] == 1 and batch.json()["invalid"] == 1 and batch.json()["results"][1]["index"] == 1
    Channel.objects.create(code="other", name="其他", team=org.bj_team1)
    foreign = post("/api/v1/leads", lead(channel="other", mobile="13700000002"), partner)
    assert foreign.status_code == 403
    too_many = post("/api/v1/leads/batch", {"items": [lead()] * 1001}, partner)
    assert too_many.status_code == 422
    assert Client().get("/api/v1/leads", **partner).status_code == 403


def test_leads_are_scoped_on_pages_and_api(setup, org):
    agents, _channel = setup
    mine = lead_intake(data=lead()).lead
    owner = mine.owner
    teammate = next(a for a in agents if a != owner)
    lead_bj = make_user("lead_bj", role="sales_lead", unit=org.bj_team1)
    lead_sh = make_user("lead_sh", role="sales_lead", unit=org.sh_team1)
    collector = make_user("coll", role="collector", unit=org.bj_team1)
    for url in (f"/leads/{mine.pk}/", f"/api/v1/leads/{mine.pk}"):
        assert_scoped(url, allowed=[owner, lead_bj], other_scope=[teammate, lead_sh], no_permission=[collector])
    client = Client()
    client.force_login(User.objects.get(pk=owner.pk))
    page = client.get("/leads/").content.decode()
    assert "138****5678" in page and "13812345678" not in page
    assert client.get("/api/v1/leads").json()["items"][0]["mobile"] == "138****5678"
    found = client.get("/leads/?q=138 1234 5678").context["listing"].rows
    assert found == [mine]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel transactions are a PostgreSQL test")
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_intakes_of_one_mobile_make_one_lead_and_nineteen_hits(org):
    Channel.objects.create(code="baidu", name="百度信息流", team=org.bj_team1)
    make_user("agent0", role="sales_agent", unit=org.bj_team1)
    barrier = threading.Barrier(20)
    outcomes: list[str] = []

    def intake(n: int) -> None:
        try:
            barrier.wait()
            outcomes.append(lead_intake(data=lead(campaign=f"c{n}")).outcome)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=intake, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["created"] + ["duplicate"] * 19
    assert Lead.objects.count() == 1 and LeadHit.objects.count() == 19 and Lead.objects.get().hit_count == 19


@pytest.mark.django_db(transaction=True)
def test_an_intake_aborted_by_a_deadlock_is_taken_again(org, monkeypatch):
    from django.db import OperationalError

    from loancrm.leads import services

    Channel.objects.create(code="baidu", name="百度信息流", team=org.bj_team1)
    real, calls = services._create, []

    class Deadlock(Exception):
        sqlstate = "40P01"

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("deadlock detected") from Deadlock()
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "_create", flaky)
    assert lead_intake(data=lead()).outcome == IntakeOutcome.CREATED and len(calls) == 2
    assert Lead.objects.count() == 1

    def broken(*args, **kwargs):
        calls.append(1)
        raise OperationalError("server closed the connection")

    monkeypatch.setattr(services, "_create", broken)
    with pytest.raises(OperationalError):  # only deadlocks are taken again
        lead_intake(data=lead(mobile="13900000003"))
    assert len(calls) == 3
