"""Product catalogue API: products, versions and terms; drafts saved and published through the same services as
the pages."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate

from loancrm.accounts.api_auth import authorized, require_scope
from loancrm.core.errors import NotFound, ValidationFailed
from loancrm.core.pagination import PageNumberPagination
from loancrm.products import selectors, services
from loancrm.products.models import Product, ProductVersion
from loancrm.products.schemas import (
    DraftIn,
    ProductDetailOut,
    ProductFilters,
    ProductIn,
    ProductOut,
    TermsIn,
    VersionOut,
)
from loancrm.rules.models import RuleSet
from loancrm.scoring.models import Scorecard

API_PREFIX = "/products"
router = Router(tags=["products"])
VIEW = "products.view_product"
CHANGE = "products.change_product"
WRITE_SCOPE = "products:write"


def _product(product_id: int) -> Any:
    product = selectors.filter_products().filter(pk=product_id).first()
    if product is None:
        raise NotFound()
    return product


def _version(product_id: int, version: int) -> ProductVersion:
    found = ProductVersion.objects.select_related("product").filter(product_id=product_id, version=version).first()
    if found is None:
        raise NotFound()
    return found


@router.get("", response=list[ProductOut], auth=authorized(VIEW), summary="Products with the version on sale")
@paginate(PageNumberPagination)
def list_products(request: HttpRequest, filters: Query[ProductFilters]) -> Any:
    require_scope(request, "read")
    return selectors.filter_products(**filters.dict()).order_by("code")


@router.post("", response={201: ProductOut}, auth=authorized(CHANGE), summary="Create a product (no version yet)")
def create_product(request: HttpRequest, payload: ProductIn) -> Any:
    require_scope(request, WRITE_SCOPE)
    product = services.product_create(actor=request.user, **payload.model_dump())
    return 201, _product(product.pk)


@router.get("/{product_id}", response=ProductDetailOut, auth=authorized(VIEW), summary="A product and its versions")
def get_product(request: HttpRequest, product_id: int) -> Any:
    require_scope(request, "read")
    return _product(product_id)


@router.get(
    "/{product_id}/versions/{version}", response=VersionOut, auth=authorized(VIEW), summary="One version's terms"
)
def get_version(request: HttpRequest, product_id: int, version: int) -> Any:
    require_scope(request, "read")
    return _version(product_id, version)


@router.post(
    "/{product_id}/versions",
    response={201: VersionOut},
    auth=authorized(CHANGE),
    summary="Open the next version as a draft (a copy of the published one by default)",
)
def create_draft(request: HttpRequest, product_id: int, payload: DraftIn) -> Any:
    require_scope(request, WRITE_SCOPE)
    product = Product.objects.filter(pk=product_id).first()
    if product is None:
        raise NotFound()
    source = None
    if payload.from_version is not None:
        source = _version(product_id, payload.from_version)
    elif not payload.empty:
        source = selectors.published_version_of(product)
    draft = services.product_version_draft(product=product, from_version=source, actor=request.user)
    return 201, _version(product_id, draft.version)


def _binding(model: Any, pk: int | None, field: str) -> Any:
    if pk is None:
        return None
    found = model.objects.filter(pk=pk).first()
    if found is None:
        raise ValidationFailed(fields={field: [str(NotFound.default_message)]})
    return found


@router.put(
    "/{product_id}/versions/{version}",
    response=VersionOut,
    auth=authorized(CHANGE),
    summary="Change a draft's terms (the fields given)",
)
def save_draft(request: HttpRequest, product_id: int, version: int, payload: TermsIn) -> Any:
    require_scope(request, WRITE_SCOPE)
    draft = _version(product_id, version)
    fields = payload.model_dump(exclude_unset=True)
    if "rule_set_id" in fields:
        fields["rule_set"] = _binding(RuleSet, fields.pop("rule_set_id"), "rule_set_id")
    if "scorecard_id" in fields:
        fields["scorecard"] = _binding(Scorecard, fields.pop("scorecard_id"), "scorecard_id")
    services.product_version_save(draft=draft, actor=request.user, **fields)
    return _version(product_id, version)


@router.post(
    "/{product_id}/versions/{version}/publish",
    response=VersionOut,
    auth=authorized(CHANGE),
    summary="Publish a draft (the version on sale retires)",
)
def publish_draft(request: HttpRequest, product_id: int, version: int) -> Any:
    require_scope(request, WRITE_SCOPE)
    services.product_version_publish(draft=_version(product_id, version), actor=request.user)
    return _version(product_id, version)
