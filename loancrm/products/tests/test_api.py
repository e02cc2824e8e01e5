"""Catalogue API: reads (list, product with versions, one version's terms) and the draft → save → publish writes
through the same services as the pages; access and the one error shape."""

import json

import pytest
from django.test import Client

from loancrm.accounts.tests.factories import make_user
from loancrm.products.models import ProductKind, ProductVersion, VersionStatus
from loancrm.products.services import (
    product_create,
    product_version_draft,
    product_version_publish,
    product_version_save,
)
from loancrm.rules import demo as rules_demo
from loancrm.rules.models import RuleSet
from loancrm.rules.services import rule_set_draft_create

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
    "documents": [],
}


def api_client(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def ops(org):
    return api_client(make_user("ops", role="operations", unit=org.hq))


@pytest.fixture
def published():
    product = product_create(code="CASH", name="现金贷", kind=ProductKind.CONSUMER)
    draft = product_version_draft(product=product)
    product_version_save(draft=draft, **TERMS)
    return product_version_publish(draft=draft)


def put(client, url, body):
    return client.put(url, json.dumps(body), content_type="application/json")


def post(client, url, body=None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def test_list_and_detail_and_terms(ops, published):
    product_create(code="CAR", name="车贷", kind=ProductKind.CAR)
    listing = ops.get("/api/v1/products").json()
    assert listing["count"] == 2
    assert [(p["code"], p["published_version"]) for p in listing["items"]] == [("CAR", None), ("CASH", 1)]
    assert [p["code"] for p in ops.get("/api/v1/products?status=published").json()["items"]] == ["CASH"]
    detail = ops.get(f"/api/v1/products/{published.product_id}").json()
    assert [(v["version"], v["status"]) for v in detail["versions"]] == [(1, "published")]
    terms = ops.get(f"/api/v1/products/{published.product_id}/versions/1").json()
    assert (terms["product"], terms["min_rate"], terms["max_amount"]) == ("CASH", "0.080000", "100000.00")
    assert terms["fees"] == [{"name": "服务费", "kind": "one_off", "amount": "200.00", "rate": None}]


def test_unknown_product_or_version_is_404_with_the_error_shape(ops, published):
    response = ops.get("/api/v1/products/999999")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert ops.get(f"/api/v1/products/{published.product_id}/versions/9").status_code == 404


def test_a_sales_agent_is_refused(org, published):
    agent = api_client(make_user("agent", role="sales_agent", unit=org.bj_team1))
    assert agent.get("/api/v1/products").status_code == 403
    assert post(agent, f"/api/v1/products/{published.product_id}/versions").status_code == 403
    assert ProductVersion.objects.count() == 1


def test_draft_save_publish_through_the_api(ops, published):
    rules_demo.seed()
    rule_set = RuleSet.objects.get(name=rules_demo.DEMO_NAME)
    created = post(ops, f"/api/v1/products/{published.product_id}/versions")
    assert created.status_code == 201 and created.json()["version"] == 2 and created.json()["min_rate"] == "0.080000"
    url = f"/api/v1/products/{published.product_id}/versions/2"
    saved = put(ops, url, {"default_rate": "0.100000", "grace_days": 5, "rule_set_id": rule_set.pk})
    assert saved.status_code == 200
    assert (saved.json()["default_rate"], saved.json()["grace_days"], saved.json()["rule_set_id"]) == (
        "0.100000",
        5,
        rule_set.pk,
    )
    done = post(ops, url + "/publish")
    assert done.status_code == 200 and done.json()["status"] == "published"
    published.refresh_from_db()
    assert published.status == VersionStatus.RETIRED
    assert put(ops, url, {"grace_days": 1}).status_code == 409


def test_publish_refusal_gives_field_messages_and_changes_nothing(ops):
    product = product_create(code="NEW", name="新品", kind=ProductKind.CONSUMER)
    post(ops, f"/api/v1/products/{product.pk}/versions", {"empty": True})
    unpublished = rule_set_draft_create(name="draft-set")
    url = f"/api/v1/products/{product.pk}/versions/1"
    assert put(ops, url, {"rule_set_id": unpublished.pk}).status_code == 200
    response = post(ops, url + "/publish")
    body = response.json()
    assert response.status_code == 400 and body["code"] == "product_terms_invalid"
    assert body["fields"]["min_amount"] == ["请输入大于零的值。"]
    assert body["fields"]["rule_set"] == ["只能绑定已发布的版本。"]
    assert product.versions.get().status == VersionStatus.DRAFT


def test_create_product(ops):
    response = post(ops, "/api/v1/products", {"code": "api1", "name": "接口产品", "kind": "business"})
    assert response.status_code == 201 and response.json()["code"] == "API1"
    again = post(ops, "/api/v1/products", {"code": "API1", "name": "x", "kind": "business"})
    assert again.status_code == 400 and again.json()["fields"]["code"] == ["该产品代码已存在。"]
