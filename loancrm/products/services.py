"""Product catalogue writes: create a product, open a draft version, save its terms, publish it; read the current one.

Every write runs in one transaction with the rows it changes locked. Publishing checks the terms
(``terms.validate_terms``) and the bindings (published rule set and scorecard only), retires the version published
before, writes the product's servicing ``OverdueRule`` (grace days, penalty multiplier, compound, day count: what
the end-of-day batch reads by product code) and the audit event, all in that transaction. Bad input raises
``ValidationFailed`` with messages per field; a refused write leaves nothing.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from loancrm.core.audit import audit_event
from loancrm.core.errors import ValidationFailed
from loancrm.products.errors import ProductVersionFrozen
from loancrm.products.models import Product, ProductKind, ProductVersion, VersionStatus
from loancrm.products.terms import Problem, validate_terms
from loancrm.rules.models import RuleSet, RuleSetStatus
from loancrm.scoring.models import Scorecard, ScorecardStatus
from loancrm.servicing.models import OverdueRule

TERM_FIELDS = (
    "min_amount",
    "max_amount",
    "min_term_months",
    "max_term_months",
    "methods",
    "min_rate",
    "max_rate",
    "default_rate",
    "fees",
    "penalty_multiplier",
    "grace_days",
    "compound",
    "day_count",
    "allocation_order",
    "documents",
    "rule_set",
    "scorecard",
    "auto_approve_score",
    "reject_below_score",
    "notes",
)
DECIMAL_FIELDS = {"min_amount", "max_amount", "min_rate", "max_rate", "default_rate", "penalty_multiplier"}
INTEGER_FIELDS = {"min_term_months", "max_term_months", "grace_days", "day_count"}
OPTIONAL_INTEGER_FIELDS = {"auto_approve_score", "reject_below_score"}
MONEY, RATE = Decimal("0.01"), Decimal("0.000001")
PLACES = {"min_amount": MONEY, "max_amount": MONEY, "penalty_multiplier": MONEY}
PLACES.update(min_rate=RATE, max_rate=RATE, default_rate=RATE)


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def problem_message(code: str) -> str:
    """The message of a ``terms`` problem code in the active language."""
    messages = {
        "not_positive": _("Enter a value greater than zero."),
        "below_min": _("The maximum must not be below the minimum."),
        "out_of_bounds": _("Rates must be at least 0 and below 100%."),
        "outside_range": _("The default rate must lie within the rate range."),
        "empty": _("Choose at least one repayment method."),
        "below_one": _("The penalty multiplier must be at least 1."),
        "cutoffs_incomplete": _("Give both score cut-offs or neither."),
        "below_reject": _("The auto-approve score must not be below the reject score."),
        "unpublished": _("Only a published version can be bound."),
    }
    return messages.get(code, _("Enter a valid value."))


def _failed(problems: list[Problem], message: Any = None, code: str | None = None) -> ValidationFailed:
    fields: dict[str, list[str]] = {}
    for field, problem in problems:
        fields.setdefault(field, []).append(problem_message(problem))
    return ValidationFailed(message, fields=fields, code=code)


@transaction.atomic
def product_create(*, code: str, name: str, kind: str, actor: Any = None) -> Product:
    """A new product (no version yet); the code is upper-cased and unique."""
    code, name = code.strip().upper(), name.strip()
    errors: dict[str, list[str]] = {}
    if not code:
        errors["code"] = [_("This field is required.")]
    elif Product.objects.filter(code=code).exists():
        errors["code"] = [_("A product with this code exists.")]
    if not name:
        errors["name"] = [_("This field is required.")]
    if kind not in ProductKind.values:
        errors["kind"] = [_("Choose one of the allowed values.")]
    if errors:
        raise ValidationFailed(fields=errors)
    product = Product.objects.create(code=code[:40], name=name[:100], kind=kind)
    audit_event(actor, "products.product_created", product, {"code": product.code, "kind": kind})
    return product


def _copy_terms(source: ProductVersion) -> dict[str, Any]:
    terms = {name: getattr(source, name) for name in TERM_FIELDS if name not in {"rule_set", "scorecard"}}
    terms.update(rule_set_id=source.rule_set_id, scorecard_id=source.scorecard_id)
    return terms


@transaction.atomic
def product_version_draft(
    *, product: Product, from_version: ProductVersion | None = None, actor: Any = None
) -> ProductVersion:
    """The next version of ``product`` as a draft: a copy of ``from_version``'s terms, or the defaults."""
    locked = Product.objects.select_for_update().get(pk=product.pk)
    if from_version is not None and from_version.product_id != locked.pk:
        raise ValidationFailed(_("The version belongs to another product."))
    latest = locked.versions.aggregate(v=Max("version"))["v"]
    terms = _copy_terms(from_version) if from_version is not None else {}
    return ProductVersion.objects.create(product=locked, version=(latest or 0) + 1, created_by=_user(actor), **terms)


def _locked_draft(draft: ProductVersion) -> ProductVersion:
    locked = ProductVersion.objects.select_for_update().get(pk=draft.pk)
    if locked.status != VersionStatus.DRAFT:
        raise ProductVersionFrozen()
    return locked


def _coerce(name: str, value: Any) -> Any:
    if name in DECIMAL_FIELDS:
        if not isinstance(value, (str, int, Decimal)) or isinstance(value, bool):
            raise ValueError(name)
        number = Decimal(str(value).strip())
        if not number.is_finite() or number.quantize(PLACES[name]) != number:
            raise ValueError(name)
        return number
    if name in OPTIONAL_INTEGER_FIELDS and value is None:
        return None
    if name in INTEGER_FIELDS or name in OPTIONAL_INTEGER_FIELDS:
        whole = int(str(value).strip())
        if name in INTEGER_FIELDS and whole < 0:
            raise ValueError(name)
        return whole
    model = {"rule_set": RuleSet, "scorecard": Scorecard}.get(name)
    if model is not None and value is not None and not isinstance(value, model):
        raise ValueError(name)
    if name == "compound" and not isinstance(value, bool):
        raise ValueError(name)
    if name in {"allocation_order", "notes"}:
        return str(value).strip()
    return value


@transaction.atomic
def product_version_save(*, draft: ProductVersion, actor: Any = None, **fields: Any) -> ProductVersion:
    """Change a draft's terms (any of ``TERM_FIELDS``); values are type-checked here, the terms at publishing."""
    locked = _locked_draft(draft)
    errors: dict[str, list[str]] = {}
    for name, value in fields.items():
        if name not in TERM_FIELDS:
            errors[name] = [_("Unknown field.")]
            continue
        try:
            setattr(locked, name, _coerce(name, value))
        except (ValueError, TypeError, InvalidOperation):
            errors[name] = [_("Enter a valid value.")]
    if errors:
        raise ValidationFailed(fields=errors)
    locked.save()
    return locked


def _publish_problems(version: ProductVersion) -> list[Problem]:
    problems = validate_terms(version)
    if (
        version.rule_set_id
        and not RuleSet.objects.filter(pk=version.rule_set_id, status=RuleSetStatus.PUBLISHED).exists()
    ):
        problems.append(("rule_set", "unpublished"))
    if (
        version.scorecard_id
        and not Scorecard.objects.filter(pk=version.scorecard_id, status=ScorecardStatus.PUBLISHED).exists()
    ):
        problems.append(("scorecard", "unpublished"))
    return problems


def product_version_problems(version: ProductVersion) -> dict[str, list[str]]:
    """What stops ``version`` from being published, as messages per field (empty: it can be published)."""
    return _failed(_publish_problems(version)).fields


@transaction.atomic
def product_version_publish(*, draft: ProductVersion, actor: Any = None) -> ProductVersion:
    """Draft → published (then immutable); the previous published version retires; servicing follows the terms."""
    locked = _locked_draft(draft)
    problems = _publish_problems(locked)
    if problems:
        raise _failed(problems, _("Correct the product terms before publishing."), "product_terms_invalid")
    product = Product.objects.select_for_update().get(pk=locked.product_id)
    now = timezone.now()
    previous = list(
        ProductVersion.objects.filter(product=product, status=VersionStatus.PUBLISHED).values_list("version", flat=True)
    )
    ProductVersion.objects.filter(product=product, status=VersionStatus.PUBLISHED).update(
        status=VersionStatus.RETIRED, retired_at=now
    )
    locked.status, locked.published_at, locked.published_by = VersionStatus.PUBLISHED, now, _user(actor)
    locked.save(update_fields=["status", "published_at", "published_by"])
    OverdueRule.objects.update_or_create(
        product_code=product.code,
        defaults={
            "grace_days": locked.grace_days,
            "penalty_multiplier": locked.penalty_multiplier,
            "compound": locked.compound,
            "day_count": locked.day_count,
        },
    )
    audit_event(
        actor,
        "products.version_published",
        locked,
        {
            "product": product.code,
            "version": locked.version,
            "retired": previous,
            "rule_set": locked.rule_set_id,
            "scorecard": locked.scorecard_id,
        },
    )
    return locked


def current_version(product_code: str) -> ProductVersion | None:
    """The published version of an active product, None when there is none."""
    return (
        ProductVersion.objects.select_related("product", "rule_set", "scorecard")
        .filter(product__code=product_code, product__active=True, status=VersionStatus.PUBLISHED)
        .first()
    )
