"""Decision pages: the decision with its explanation and replay, the scoped list, permissions; the backtest page and
``backtest_recorded``; the replay command."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils.html import escape

from loancrm.core.models import AuditEvent
from loancrm.decisioning import services
from loancrm.decisioning.models import Decision, DecisionReplay, RuleSetBacktest
from loancrm.decisioning.tests.conftest import CLEAN, SEVERE
from loancrm.rules.models import RuleAction
from loancrm.rules.services import rule_save, rule_set_new_version

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def decided(provider, bind, customer_in, submitted):
    """Two decisions: a clean applicant auto-approved, a severe one rejected by the rules."""
    version = bind(auto_approve=0, reject_below=-100)
    approved = services.application_prescreen(application_id=submitted(customer_in(CLEAN), version).pk)
    rejected = services.application_prescreen(application_id=submitted(customer_in(SEVERE), version).pk)
    return approved, rejected


def test_the_decision_page_shows_outcome_rules_points_inputs_and_the_customer_explanation(people, decided):
    _approved, rejected = decided

    page = client_for(people["director"]).get(f"/decisions/application/{rejected.application_id}/")

    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-outcome="rejected"' in html and "R03_COURT" in html
    assert "有法院执行或失信记录" in html  # the rule's description labels its reason code
    assert 'data-testid="points-chart"' in html and 'id="points-options"' in html
    for point in rejected.score_points:
        assert f">{escape(point['bin'])}<" in html or point["bin"] == "missing"
    explanation = html.split('data-testid="customer-explanation"')[1].split("</div>\n    </div>")[0]
    assert "我们暂时无法批准您的申请" in explanation
    assert "R03_COURT" not in explanation and "points" not in explanation
    assert "征信报告摘要" in html  # the external data used, by kind, with its time
    assert 'data-testid="replay-form"' in html


def test_the_explanation_names_no_factor_from_missing_data(people, provider, bind, customer_in, submitted):
    decision = services.application_prescreen(application_id=submitted(customer_in(CLEAN, consent=False), bind()).pk)

    html = client_for(people["director"]).get(f"/decisions/application/{decision.application_id}/").content.decode()

    explanation = html.split('data-testid="customer-explanation"')[1].split("</ul>")[0]
    assert "没有您的征信查询授权" in explanation
    assert "信用报告被查询的次数较多" not in explanation  # bureau inquiries were never looked at


def test_replay_from_the_page_records_and_shows_the_result(people, decided):
    approved, _rejected = decided
    client = client_for(people["director"])

    response = client.post(f"/decisions/application/{approved.application_id}/replay/", follow=True)

    assert response.status_code == 200
    replay = DecisionReplay.objects.get()
    assert replay.same_outcome and replay.actor == people["director"]
    html = response.content.decode()
    assert "重放结果与记录一致" in html
    assert "与记录一致" in html.split('data-testid="replay-history"')[1]


def test_sales_agents_are_refused_and_other_branches_get_404(people, decided):
    approved, _rejected = decided
    url = f"/decisions/application/{approved.application_id}/"

    assert client_for(people["agent"]).get(url).status_code == 403
    assert client_for(people["agent"]).get("/decisions/").status_code == 403
    assert client_for(people["sh_director"]).get(url).status_code == 404
    assert client_for(people["sh_director"]).post(url + "replay/").status_code == 404
    assert client_for(people["director"]).get("/decisions/application/999999/").status_code == 404
    assert client_for(people["reviewer"]).post(url + "replay/").status_code == 403  # may view, not replay
    assert not DecisionReplay.objects.exists()


def test_the_list_is_scoped_filtered_and_sorted(people, decided):
    approved, rejected = decided
    director = client_for(people["director"])

    listing = director.get("/decisions/")
    assert [row["d"].pk for row in listing.context["rows"]] == [rejected.pk, approved.pk]
    only = director.get("/decisions/?outcome=auto_approved")
    assert [row["d"].pk for row in only.context["rows"]] == [approved.pk]
    by_score = director.get("/decisions/?sort=score")
    scores = [row["d"].score for row in by_score.context["rows"]]
    assert scores == sorted(scores)
    assert client_for(people["sh_director"]).get("/decisions/").context["rows"] == []
    assert len(client_for(people["admin"]).get("/decisions/").context["rows"]) == 2


def test_an_application_without_a_decision_says_so(people, bind, customer_in):
    from loancrm.applications.tests.factories import make_application

    draft = make_application(people["agent"], customer_in(CLEAN), bind())

    page = client_for(people["director"]).get(f"/decisions/application/{draft.pk}/")

    assert page.status_code == 200 and 'data-testid="no-decision"' in page.content.decode()


def test_the_backtest_page_runs_stores_and_shows_the_changed_cases(people, decided, rule_set):
    approved, rejected = decided
    draft = rule_set_new_version(source=rule_set)
    rule_save(rule_set=draft, code="big", expression="amount >= 50000.0", action=RuleAction.MANUAL_REVIEW,
              reason_code="M09_BIG")  # fmt: skip
    client = client_for(people["director"])
    assert services.backtest_recorded(draft) is False

    response = client.post(f"/decisions/backtest/{draft.pk}/", {"n": "200"}, follow=True)

    assert response.status_code == 200
    backtest = RuleSetBacktest.objects.get()
    assert backtest.report["total"] == 2 and backtest.decision_ids == [rejected.pk, approved.pk]
    assert backtest.report["outcomes_before"] == {"approve": 1, "reject": 1}
    assert backtest.report["outcomes_after"] == {"manual_review": 1, "reject": 1}
    assert backtest.report["approval_rate_before"] == 0.5 and backtest.report["approval_rate_after"] == 0.0
    assert [c["decision"] for c in backtest.report["changed"]] == [approved.pk]
    html = response.content.decode()
    assert f'href="/decisions/application/{approved.application_id}/"' in html
    assert 'data-testid="backtest-chart"' in html
    assert services.backtest_recorded(draft) is True
    assert AuditEvent.objects.filter(action="decisioning.backtested").count() == 1

    rule_save(rule_set=draft, code="big", expression="amount >= 60000.0", action=RuleAction.MANUAL_REVIEW,
              reason_code="M09_BIG", rule_id=draft.rules.get(code="big").pk)  # fmt: skip
    assert services.backtest_recorded(draft) is False  # an edit after the backtest needs a new one
    assert client_for(people["supervisor"]).get(f"/decisions/backtest/{draft.pk}/").status_code == 403


def test_recent_contexts_label_the_latest_decisions(decided):
    approved, rejected = decided

    recent = services.recent_contexts(5)

    assert [key for key, _label, _context in recent] == [str(rejected.pk), str(approved.pk)]
    assert recent[0][1].startswith(rejected.application.number)
    assert recent[1][2] == approved.input_snapshot["context"]


def test_the_replay_command_prints_the_comparison_and_exits_non_zero_on_a_mismatch(decided):
    approved, _rejected = decided
    out = StringIO()
    call_command("decision_replay", str(approved.pk), "--json", stdout=out)
    payload = json.loads(out.getvalue())
    assert payload["same"] is True and payload["recorded"]["outcome"] == "auto_approved"

    Decision.objects.filter(pk=approved.pk).update(score=1)
    out = StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("decision_replay", str(approved.pk), stdout=out)
    assert exited.value.code == 1
    assert "score" in out.getvalue()
    assert DecisionReplay.objects.filter(same_outcome=False).count() == 1


def test_operations_backtest_from_the_rule_editor_then_publish(people, decided, rule_set, org):
    from loancrm.accounts.tests.factories import make_user
    from loancrm.rules.models import RuleSetStatus

    ops = make_user("ops1", role="operations", unit=org.hq)
    draft = rule_set_new_version(source=rule_set)
    client = client_for(ops)

    page = client.get(f"/rules/{draft.pk}/").content.decode()
    assert f'href="/decisions/backtest/{draft.pk}/"' in page and 'data-testid="backtest"' in page
    client.post(f"/rules/{draft.pk}/publish/")
    draft.refresh_from_db()
    assert draft.status == RuleSetStatus.DRAFT  # refused: not backtested
    assert client.post(f"/decisions/backtest/{draft.pk}/", {"n": "50"}).status_code in (200, 302)
    client.post(f"/rules/{draft.pk}/publish/")
    draft.refresh_from_db()
    assert draft.status == RuleSetStatus.PUBLISHED
