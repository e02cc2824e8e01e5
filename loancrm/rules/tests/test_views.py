"""Rule editor pages: access, the draft edit cycle, reordering, publishing, the live check and the test panel."""

import pytest
from django.test import Client

from loancrm.accounts.tests.factories import make_user
from loancrm.core.models import AuditEvent
from loancrm.rules import demo
from loancrm.rules.context import FIELDS, sample_context
from loancrm.rules.models import RuleAction, RuleSet, RuleSetStatus
from loancrm.rules.services import rule_save, rule_set_draft_create
from loancrm.rules.test_contexts import available_contexts, context_for

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def ops(org):
    return client_for(make_user("ops", role="operations", unit=org.hq))


@pytest.fixture
def draft():
    rule_set = rule_set_draft_create(name="ui-set")
    rule_save(rule_set=rule_set, code="old", expression="age > 65", action=RuleAction.REJECT, reason_code="R_AGE")
    rule_save(
        rule_set=rule_set,
        code="dti",
        expression="debt_to_income > 0.6",
        action=RuleAction.MANUAL_REVIEW,
        reason_code="M_DTI",
    )
    return rule_set


def form_data(context):
    return {name: ("on" if value is True else "" if value is False else value) for name, value in context.items()}


def test_a_sales_agent_is_refused_every_rule_page(org, draft):
    agent = client_for(make_user("agent", role="sales_agent", unit=org.bj_team1))
    for method, url in [
        ("get", "/rules/"),
        ("get", f"/rules/{draft.pk}/"),
        ("post", "/rules/check/"),
        ("post", f"/rules/{draft.pk}/publish/"),
        ("post", f"/rules/{draft.pk}/test/"),
    ]:
        assert getattr(agent, method)(url).status_code == 403, url
    assert RuleSet.objects.get(pk=draft.pk).status == RuleSetStatus.DRAFT


def test_a_credit_supervisor_may_view_but_not_edit(org, draft):
    supervisor = client_for(make_user("sup", role="credit_supervisor", unit=org.bj_team1))
    page = supervisor.get(f"/rules/{draft.pk}/")
    assert page.status_code == 200 and not page.context["can_edit"]
    assert supervisor.get(f"/rules/{draft.pk}/rules/new/").status_code == 403


def test_unknown_rule_set_and_rule_are_404(ops, draft):
    assert ops.get("/rules/999999/").status_code == 404
    assert ops.get(f"/rules/{draft.pk}/rules/999999/").status_code == 404
    assert ops.post(f"/rules/{draft.pk}/rules/999999/delete/").status_code == 404


def test_list_shows_name_version_status_and_rule_count(ops, draft):
    page = ops.get("/rules/?status=draft")
    rows = [(r.name, r.version, r.status, r.rule_count) for r in page.context["listing"].rows]
    assert rows == [("ui-set", 1, "draft", 2)]
    assert ops.get("/rules/?status=published").context["listing"].rows == []


def test_create_draft_then_add_edit_and_delete_a_rule(ops):
    response = ops.post("/rules/new/", {"name": "new-set", "notes": ""})
    rule_set = RuleSet.objects.get(name="new-set")
    assert response.status_code == 302 and response["Location"] == f"/rules/{rule_set.pk}/"
    added = ops.post(
        f"/rules/{rule_set.pk}/rules/new/",
        {"code": "young", "action": "reject", "reason_code": "R1", "description": "太年轻", "expression": "age < 18"},
    )
    assert added.status_code == 302
    rule = rule_set.rules.get()
    edited = ops.post(
        f"/rules/{rule_set.pk}/rules/{rule.pk}/",
        {"code": "young", "action": "flag", "reason_code": "F1", "expression": "age < 20"},
    )
    assert edited.status_code == 302
    rule.refresh_from_db()
    assert (rule.action, rule.reason_code, rule.expression) == ("flag", "F1", "age < 20")
    assert ops.post(f"/rules/{rule_set.pk}/rules/{rule.pk}/delete/").status_code == 302
    assert not rule_set.rules.exists()


def test_an_invalid_expression_is_shown_on_the_form_and_nothing_is_saved(ops, draft):
    response = ops.post(
        f"/rules/{draft.pk}/rules/new/",
        {"code": "bad", "action": "reject", "reason_code": "R", "expression": "agee > 3"},
    )
    assert response.status_code == 422
    assert response.context["form"].errors["expression"] == ["未知名称：agee。"]
    assert not draft.rules.filter(code="bad").exists()


def test_move_down_reorders(ops, draft):
    old = draft.rules.get(code="old")
    assert ops.post(f"/rules/{draft.pk}/rules/{old.pk}/move/", {"direction": "down"}).status_code == 302
    assert list(draft.rules.order_by("position").values_list("code", flat=True)) == ["dti", "old"]


def test_publish_freezes_the_set_and_the_editor_refuses_changes(ops, draft):
    assert ops.post(f"/rules/{draft.pk}/publish/").status_code == 302
    draft.refresh_from_db()
    assert draft.status == RuleSetStatus.PUBLISHED
    assert AuditEvent.objects.filter(action="rules.rule_set_published", target_id=str(draft.pk)).exists()
    page = ops.get(f"/rules/{draft.pk}/")
    html = page.content.decode()
    assert not page.context["can_edit"] and 'data-testid="add-rule"' not in html and 'data-testid="new-version"' in html
    old = draft.rules.get(code="old")
    refused = ops.post(
        f"/rules/{draft.pk}/rules/{old.pk}/",
        {"code": "old", "action": "flag", "reason_code": "X", "expression": "age > 70"},
        follow=True,
    )
    assert "已发布的规则集不能修改" in refused.content.decode()
    ops.post(f"/rules/{draft.pk}/rules/{old.pk}/delete/")
    old.refresh_from_db()
    assert (old.action, old.expression) == ("reject", "age > 65")


def test_new_version_from_a_published_set_copies_its_rules(ops, draft):
    ops.post(f"/rules/{draft.pk}/publish/")
    response = ops.post(f"/rules/{draft.pk}/new-version/")
    copy = RuleSet.objects.get(name="ui-set", version=2)
    assert response["Location"] == f"/rules/{copy.pk}/"
    assert list(copy.rules.order_by("position").values_list("code", flat=True)) == ["old", "dti"]


def test_publishing_an_empty_set_is_refused_with_a_message(ops):
    empty = rule_set_draft_create(name="empty")
    page = ops.post(f"/rules/{empty.pk}/publish/", follow=True)
    assert "没有规则的规则集不能发布" in page.content.decode()
    empty.refresh_from_db()
    assert empty.status == RuleSetStatus.DRAFT


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("agee > 3", "未知名称：agee。"),
        ("age +", "表达式无法解析：第 1 行第 6 列：mismatched input '<EOF>'"),
        ("age + 1", "表达式的结果必须为 true 或 false。"),
    ],
)
def test_syntax_check_endpoint_returns_the_problem(ops, expression, expected):
    response = ops.post("/rules/check/", {"expression": expression}, **HTMX)
    assert response.status_code == 200
    assert response.context["problems"] == [expected]
    assert 'data-testid="check-problem"' in response.content.decode()


def test_syntax_check_endpoint_accepts_a_valid_expression(ops):
    response = ops.post("/rules/check/", {"expression": "age >= 18 && !blacklist_hit"}, **HTMX)
    assert response.context["problems"] == [] and 'data-testid="check-ok"' in response.content.decode()


def test_the_test_panel_is_prefilled_with_the_samples_and_the_profiles(ops, draft):
    page = ops.get(f"/rules/{draft.pk}/")
    form = page.context["test_form"]
    assert list(form.fields) == [field.name for field in FIELDS]
    assert {name: form.initial[name] for name in form.fields} == sample_context()
    assert page.context["contexts"][0] == ("good", "良好申请人")
    loaded = ops.get(f"/rules/{draft.pk}/?context=high_dti").context["test_form"]
    assert loaded.initial["debt_to_income"] == 0.72


def test_the_test_panel_shows_the_exact_outcome(ops):
    demo.seed()
    rule_set = RuleSet.objects.get(name=demo.DEMO_NAME)
    context = {**sample_context(), "debt_to_income": 0.72, "overdue_accounts": 1}
    response = ops.post(f"/rules/{rule_set.pk}/test/", form_data(context), **HTMX)
    assert response.status_code == 200
    evaluation = response.context["evaluation"]
    assert (evaluation.outcome, evaluation.reasons, evaluation.flags) == (
        "manual_review",
        ("M02_DTI",),
        ("F01_OVERDUE",),
    )
    matched = {r.code: r.matched for r in evaluation.results}
    assert matched == {
        "age_range": False,
        "blacklist": False,
        "court": False,
        "multi_lending": False,
        "dti": True,
        "overdue_now": True,
        "overdue_history": False,
        "inquiries": False,
    }
    html = response.content.decode()
    assert 'data-outcome="manual_review"' in html and 'data-rule="dti" data-result="matched"' in html


def test_the_test_panel_rejects_a_blacklisted_profile(ops):
    demo.seed()
    rule_set = RuleSet.objects.get(name=demo.DEMO_NAME)
    response = ops.post(f"/rules/{rule_set.pk}/test/", form_data(context_for("blacklisted")), **HTMX)
    evaluation = response.context["evaluation"]
    assert (evaluation.outcome, evaluation.reasons) == ("reject", ("R02_BLACKLIST",))


def test_the_test_panel_shows_context_errors(ops, draft):
    data = form_data({**sample_context(), "region": "44"})
    response = ops.post(f"/rules/{draft.pk}/test/", data, **HTMX)
    assert response.status_code == 422 and response.context["evaluation"] is None
    assert response.context["test_form"].errors["region"] == ["请输入 6 位行政区划代码。"]


def test_available_contexts_and_context_for():
    keys = [key for key, _label in available_contexts(None)]
    assert keys[:3] == ["good", "high_dti", "blacklisted"]
    assert context_for("good") == sample_context()
    assert context_for("blacklisted")["blacklist_hit"] is True
    with pytest.raises(KeyError):
        context_for("nope")
