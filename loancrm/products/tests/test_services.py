"""Catalogue services on the database: drafts, saving terms, publishing (checks, bindings, retirement, servicing
overdue rule, audit), immutability, the current version and the demo seed."""

from decimal import Decimal

import pytest
from django.utils import translation

from loancrm.core.errors import ValidationFailed
from loancrm.core.models import AuditEvent
from loancrm.products import demo
from loancrm.products.errors import ProductVersionFrozen
from loancrm.products.models import Product, ProductKind, ProductVersion, VersionStatus
from loancrm.products.services import (
    current_version,
    product_create,
    product_version_draft,
    product_version_publish,
    product_version_save,
)
from loancrm.rules import demo as rules_demo
from loancrm.rules.models import RuleSet, RuleSetStatus
from loancrm.scoring.models import Scorecard, ScorecardStatus
from loancrm.servicing.models import OverdueRule
from loancrm.servicing.rules import Terms, rule_for

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
    "penalty_multiplier": "1.80",
    "grace_days": 2,
    "compound": False,
    "day_count": 365,
    "documents": [{"type": "id_front", "required": True}],
}


@pytest.fixture
def product():
    return product_create(code="cash", name="现金贷", kind=ProductKind.CONSUMER)


def published_version(product, **changes):
    draft = product_version_draft(product=product)
    product_version_save(draft=draft, **(TERMS | changes))
    return product_version_publish(draft=draft)


def test_create_refuses_duplicates_and_bad_kind(product):
    assert product.code == "CASH"
    with pytest.raises(ValidationFailed) as failed:
        product_create(code="Cash", name="", kind="pawn")
    assert set(failed.value.fields) == {"code", "name", "kind"}
    assert Product.objects.count() == 1


def test_publish_freezes_retires_previous_and_audits(product):
    first = published_version(product)
    assert (first.version, first.status, first.published_at is not None) == (1, VersionStatus.PUBLISHED, True)
    assert current_version("CASH") == first

    draft = product_version_draft(product=product, from_version=first)
    assert (draft.version, draft.max_amount, draft.fees, draft.status) == (2, D("100000.00"), TERMS["fees"], "draft")
    product_version_save(draft=draft, max_amount="150000.00")
    second = product_version_publish(draft=draft)

    first.refresh_from_db()
    assert (first.status, first.retired_at is not None) == (VersionStatus.RETIRED, True)
    assert current_version("CASH") == second and second.max_amount == D("150000.00")
    event = AuditEvent.objects.get(action="products.version_published", target_id=str(second.pk))
    assert (event.data["version"], event.data["retired"]) == (2, [1])


def test_published_and_retired_versions_are_immutable(product):
    first = published_version(product)
    second = published_version(product)
    for version in (first, second):
        version.refresh_from_db()
        version.max_amount = D("1.00")
        with pytest.raises(ProductVersionFrozen):
            version.save()
        with pytest.raises(ProductVersionFrozen):
            version.delete()
        with pytest.raises(ProductVersionFrozen):
            product_version_save(draft=version, grace_days=9)
        with pytest.raises(ProductVersionFrozen):
            product_version_publish(draft=version)
    assert ProductVersion.objects.filter(max_amount=D("1.00")).count() == 0


def test_publish_refuses_invalid_terms_and_writes_nothing(product):
    draft = product_version_draft(product=product)
    product_version_save(draft=draft, **(TERMS | {"default_rate": "0.2", "methods": []}))
    with translation.override("zh-hans"), pytest.raises(ValidationFailed) as failed:
        product_version_publish(draft=draft)
    assert failed.value.code == "product_terms_invalid"
    assert set(failed.value.fields) == {"default_rate", "methods"}
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT
    assert not OverdueRule.objects.filter(product_code="CASH").exists()
    assert not AuditEvent.objects.filter(action="products.version_published").exists()


def test_save_refuses_unknown_fields_and_bad_values(product):
    draft = product_version_draft(product=product)
    with pytest.raises(ValidationFailed) as failed:
        product_version_save(
            draft=draft, colour="red", min_amount=1.5, min_rate="0.1234567", grace_days=-1, compound="yes"
        )
    assert set(failed.value.fields) == {"colour", "min_amount", "min_rate", "grace_days", "compound"}
    draft.refresh_from_db()
    assert draft.min_amount == D("0")


def test_publish_refuses_unpublished_rule_set_and_scorecard(product):
    rule_set = RuleSet.objects.create(name="draft-rules", version=1)
    scorecard = Scorecard.objects.create(name="draft-card", version=1, target="bad")
    draft = product_version_draft(product=product)
    product_version_save(
        draft=draft, rule_set=rule_set, scorecard=scorecard, auto_approve_score=650, reject_below_score=550, **TERMS
    )
    with pytest.raises(ValidationFailed) as failed:
        product_version_publish(draft=draft)
    assert set(failed.value.fields) == {"rule_set", "scorecard"}

    good_rules = RuleSet.objects.create(name="rules", version=1, status=RuleSetStatus.PUBLISHED)
    good_card = Scorecard.objects.create(name="card", version=1, target="bad", status=ScorecardStatus.PUBLISHED)
    product_version_save(draft=draft, rule_set=good_rules, scorecard=good_card)
    published = product_version_publish(draft=draft)
    assert (published.rule_set, published.scorecard) == (good_rules, good_card)


def test_overdue_rule_follows_the_published_version(product):
    assert rule_for("CASH") == Terms()
    published_version(product)
    assert rule_for("CASH") == Terms(grace_days=2, penalty_multiplier=D("1.80"), compound=False, day_count=365)
    published_version(product, grace_days=0, penalty_multiplier="1.50", compound=True, day_count=360)
    assert rule_for("CASH") == Terms(grace_days=0, penalty_multiplier=D("1.50"), compound=True, day_count=360)
    assert OverdueRule.objects.filter(product_code="CASH").count() == 1


def test_current_version_ignores_drafts_and_inactive_products(product):
    product_version_draft(product=product)
    assert current_version("CASH") is None
    published = published_version(product)
    assert current_version("CASH") == published
    Product.objects.filter(pk=product.pk).update(active=False)
    assert current_version("CASH") is None


def test_demo_is_idempotent_and_binds_the_demo_rule_set():
    rules_demo.seed()
    assert demo.seed() == []
    demo.seed()
    versions = ProductVersion.objects.filter(status=VersionStatus.PUBLISHED).select_related("product", "rule_set")
    assert sorted(v.product.code for v in versions) == ["CAR", "CONSUMER", "MORTGAGE", "SME"]
    assert ProductVersion.objects.count() == 4
    assert {v.rule_set.name for v in versions} == {rules_demo.DEMO_NAME}
    assert {v.scorecard for v in versions} == {None}
    assert rule_for("MORTGAGE") == Terms(grace_days=5, penalty_multiplier=D("1.30"), compound=False, day_count=365)


def test_demo_binds_the_demo_scorecard_with_cut_offs():
    card = Scorecard.objects.create(name="demo-retail", version=1, target="bad", status=ScorecardStatus.PUBLISHED)
    demo.seed()
    consumer = current_version("CONSUMER")
    assert consumer is not None and consumer.rule_set is None
    assert (consumer.scorecard, consumer.auto_approve_score, consumer.reject_below_score) == (card, 550, 515)
