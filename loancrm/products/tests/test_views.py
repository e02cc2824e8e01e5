"""Catalogue pages: access, the product list, the draft terms form (percent ↔ fraction, fees, documents),
publishing with its confirmation and diff, and read-only published versions."""

from decimal import Decimal

import pytest
from django.test import Client

from loancrm.accounts.tests.factories import make_user
from loancrm.core.models import AuditEvent
from loancrm.products.models import Product, ProductKind, ProductVersion, VersionStatus
from loancrm.products.services import (
    product_create,
    product_version_draft,
    product_version_publish,
    product_version_save,
)
from loancrm.rules import demo as rules_demo
from loancrm.rules.models import RuleSet
from loancrm.rules.services import rule_set_draft_create

D = Decimal
pytestmark = pytest.mark.django_db

TERMS = {
    "min_amount": "5000.00",
    "max_amount": "100000.00",
    "min_term_months": 6,
    "max_term_months": 24,
    "methods": ["equal_installment"],
    "min_rate": "0.080000",
    "max_rate": "0.180000",
    "default_rate": "0.120000",
    "fees": [{"name": "服务费", "kind": "one_off", "amount": "200.00"}],
    "penalty_multiplier": "1.50",
    "grace_days": 3,
    "compound": True,
    "day_count": 360,
    "documents": [{"type": "id_front", "required": True}, {"type": "income_proof", "required": False}],
}


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def ops(org):
    return client_for(make_user("ops", role="operations", unit=org.hq))


@pytest.fixture
def product():
    return product_create(code="CASH", name="现金贷", kind=ProductKind.CONSUMER)


@pytest.fixture
def published(product):
    draft = product_version_draft(product=product)
    product_version_save(draft=draft, **TERMS)
    return product_version_publish(draft=draft)


def form_post(**changes):
    """A complete terms form as the page posts it (rates in percent)."""
    data = {
        "min_amount": "10000.00",
        "max_amount": "300000.00",
        "min_term_months": "3",
        "max_term_months": "36",
        "methods": ["equal_installment", "equal_principal"],
        "min_rate": "7.2",
        "max_rate": "24",
        "default_rate": "14.4",
        "penalty_multiplier": "1.50",
        "grace_days": "3",
        "compound": "on",
        "day_count": "360",
        "allocation_order": "fee,penalty,interest,principal",
        "rule_set": "",
        "scorecard": "",
        "auto_approve_score": "",
        "reject_below_score": "",
        "notes": "新版",
        "doc_id_front": "required",
        "doc_id_back": "required",
        "doc_bank_card": "optional",
        "fees-TOTAL_FORMS": "3",
        "fees-INITIAL_FORMS": "0",
        "fees-MIN_NUM_FORMS": "0",
        "fees-MAX_NUM_FORMS": "20",
        "fees-0-name": "服务费",
        "fees-0-kind": "one_off",
        "fees-0-basis": "amount",
        "fees-0-value": "300",
        "fees-1-name": "管理费",
        "fees-1-kind": "periodic",
        "fees-1-basis": "rate",
        "fees-1-value": "0.05",
        "fees-2-name": "",
        "fees-2-kind": "one_off",
        "fees-2-basis": "amount",
        "fees-2-value": "",
    }
    data.update(changes)
    return data


def test_a_sales_agent_is_refused_the_catalogue(org, published):
    agent = client_for(make_user("agent", role="sales_agent", unit=org.bj_team1))
    for method, url in [
        ("get", "/products/"),
        ("get", f"/products/{published.product_id}/"),
        ("get", f"/products/versions/{published.pk}/"),
        ("post", "/products/new/"),
        ("post", f"/products/{published.product_id}/versions/new/"),
    ]:
        assert getattr(agent, method)(url).status_code == 403, url
    assert ProductVersion.objects.count() == 1


def test_unknown_product_and_version_are_404(ops):
    assert ops.get("/products/999999/").status_code == 404
    assert ops.get("/products/versions/999999/").status_code == 404
    assert ops.get("/products/versions/999999/publish/").status_code == 404


def test_list_filters_by_kind_and_status_and_shows_the_version_on_sale(ops, published):
    product_create(code="CAR", name="车贷", kind=ProductKind.CAR)
    page = ops.get("/products/")
    rows = [(r["product"].code, r["version"].version if r["version"] else None) for r in page.context["rows"]]
    assert rows == [("CAR", None), ("CASH", 1)]
    assert [r["product"].code for r in ops.get("/products/?kind=car").context["rows"]] == ["CAR"]
    assert [r["product"].code for r in ops.get("/products/?status=published").context["rows"]] == ["CASH"]
    assert [r["product"].code for r in ops.get("/products/?status=unpublished").context["rows"]] == ["CAR"]
    assert [r["product"].code for r in ops.get("/products/?sort=-code").context["rows"]] == ["CASH", "CAR"]
    assert "8.0% – 18.0%" in page.content.decode()


def test_create_product_then_its_first_draft(ops):
    response = ops.post("/products/new/", {"code": "quick", "name": "快贷", "kind": "consumer"})
    product = Product.objects.get(code="QUICK")
    assert response["Location"] == f"/products/{product.pk}/"
    duplicate = ops.post("/products/new/", {"code": "QUICK", "name": "again", "kind": "consumer"})
    assert duplicate.status_code == 422 and duplicate.context["form"].errors["code"] == ["该产品代码已存在。"]
    response = ops.post(f"/products/{product.pk}/versions/new/")
    draft = product.versions.get()
    assert (draft.version, draft.status) == (1, VersionStatus.DRAFT)
    assert response["Location"] == f"/products/versions/{draft.pk}/"


def test_the_draft_form_shows_rates_as_percentages(ops, published):
    draft = product_version_draft(product=published.product, from_version=published)
    form = ops.get(f"/products/versions/{draft.pk}/").context["form"]
    assert (form.initial["min_rate"], form.initial["max_rate"], form.initial["default_rate"]) == ("8", "18", "12")
    assert form.initial["doc_id_front"] == "required" and form.initial["doc_income_proof"] == "optional"


def test_draft_edit_saves_every_term(ops, published):
    rules_demo.seed()
    rule_set = RuleSet.objects.get(name=rules_demo.DEMO_NAME)
    draft = product_version_draft(product=published.product, from_version=published)
    response = ops.post(
        f"/products/versions/{draft.pk}/",
        form_post(rule_set=str(rule_set.pk), auto_approve_score="660", reject_below_score="560"),
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.min_amount, draft.max_amount, draft.min_term_months, draft.max_term_months) == (
        D("10000.00"),
        D("300000.00"),
        3,
        36,
    )
    assert (draft.min_rate, draft.max_rate, draft.default_rate) == (D("0.072"), D("0.24"), D("0.144"))
    assert draft.methods == ["equal_installment", "equal_principal"]
    assert draft.fees == [
        {"name": "服务费", "kind": "one_off", "amount": "300.00"},
        {"name": "管理费", "kind": "periodic", "rate": "0.0005"},
    ]
    assert draft.documents == [
        {"type": "id_front", "required": True},
        {"type": "id_back", "required": True},
        {"type": "bank_card", "required": False},
    ]
    assert (draft.rule_set_id, draft.auto_approve_score, draft.reject_below_score) == (rule_set.pk, 660, 560)
    assert draft.notes == "新版" and draft.compound is True and draft.day_count == 360


def test_a_half_filled_fee_row_is_shown_on_the_form_and_nothing_is_saved(ops, product):
    draft = product_version_draft(product=product)
    response = ops.post(f"/products/versions/{draft.pk}/", form_post(**{"fees-1-value": ""}))
    assert response.status_code == 422
    assert response.context["fees"].forms[1].errors["value"] == ["请填写金额或比例。"]
    draft.refresh_from_db()
    assert draft.min_amount == D("0") and draft.fees == []


def test_only_published_rule_sets_can_be_chosen(ops, product):
    unpublished = rule_set_draft_create(name="draft-set")
    draft = product_version_draft(product=product)
    response = ops.post(f"/products/versions/{draft.pk}/", form_post(rule_set=str(unpublished.pk)))
    assert response.status_code == 422 and "rule_set" in response.context["form"].errors
    draft.refresh_from_db()
    assert draft.rule_set_id is None


def test_publish_confirmation_shows_the_diff_then_publishes(ops, published):
    draft = product_version_draft(product=published.product, from_version=published)
    ops.post(f"/products/versions/{draft.pk}/", form_post())
    page = ops.get(f"/products/versions/{draft.pk}/publish/")
    changed = {row["key"]: (row["before"], row["after"]) for row in page.context["diff"] if row["changed"]}
    assert changed["rate"] == ("8% – 18%", "7.2% – 24%")
    assert changed["amount"] == ("5,000.00 – 100,000.00", "10,000.00 – 300,000.00")
    assert "grace_days" not in changed and page.context["problems"] == []
    response = ops.post(f"/products/versions/{draft.pk}/publish/")
    assert response["Location"] == f"/products/{published.product_id}/"
    draft.refresh_from_db()
    published.refresh_from_db()
    assert (draft.status, published.status) == (VersionStatus.PUBLISHED, VersionStatus.RETIRED)
    assert AuditEvent.objects.filter(action="products.version_published", target_id=str(draft.pk)).exists()


def test_publishing_incomplete_terms_shows_the_problems_on_the_form(ops, product):
    draft = product_version_draft(product=product)
    confirm = ops.get(f"/products/versions/{draft.pk}/publish/")
    assert ("最低金额（元）", "请输入大于零的值。") in confirm.context["problems"]
    response = ops.post(f"/products/versions/{draft.pk}/publish/")
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert errors["min_amount"] == ["请输入大于零的值。"] and errors["methods"] == ["请至少选择一种还款方式。"]
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT


def test_a_published_version_is_read_only_and_refuses_edits(ops, published):
    page = ops.get(f"/products/versions/{published.pk}/")
    assert page.status_code == 200 and "products/version_view.html" in [t.name for t in page.templates]
    response = ops.post(f"/products/versions/{published.pk}/", form_post(min_amount="1.00"))
    assert response.status_code == 302
    published.refresh_from_db()
    assert published.min_amount == D("5000.00")
    assert ops.post(f"/products/versions/{published.pk}/publish/").status_code == 302


def test_new_version_from_current_copies_the_published_terms(ops, published):
    ops.post(f"/products/{published.product_id}/versions/new/")
    draft = published.product.versions.get(version=2)
    assert (draft.status, draft.min_rate, draft.fees) == (VersionStatus.DRAFT, D("0.080000"), TERMS["fees"])
