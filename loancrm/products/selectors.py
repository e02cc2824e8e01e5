"""Catalogue reads: the product list with its filters, and the published version of each product on a page."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet, Subquery

from loancrm.products.models import Product, ProductVersion, VersionStatus


def filter_products(*, q: str = "", kind: str = "", status: str = "") -> QuerySet[Product]:
    """Products by code/name text, kind and status (``published``, ``unpublished``, ``inactive``)."""
    published = ProductVersion.objects.filter(product=OuterRef("pk"), status=VersionStatus.PUBLISHED)
    qs = Product.objects.annotate(
        has_published=Exists(published), published_version=Subquery(published.values("version")[:1])
    )
    if q:
        qs = qs.filter(code__icontains=q.strip()) | qs.filter(name__icontains=q.strip())
    if kind:
        qs = qs.filter(kind=kind)
    if status == "published":
        qs = qs.filter(has_published=True, active=True)
    elif status == "unpublished":
        qs = qs.filter(has_published=False, active=True)
    elif status == "inactive":
        qs = qs.filter(active=False)
    return qs


def published_versions(products: Iterable[Any]) -> dict[int, ProductVersion]:
    """The published version of each of ``products`` (by product id), in one query."""
    ids = [product.pk for product in products]
    versions = ProductVersion.objects.filter(product_id__in=ids, status=VersionStatus.PUBLISHED).select_related(
        "rule_set", "scorecard"
    )
    return {version.product_id: version for version in versions}


def published_version_of(product: Product) -> ProductVersion | None:
    return product.versions.filter(status=VersionStatus.PUBLISHED).select_related("rule_set", "scorecard").first()
