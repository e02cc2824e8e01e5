"""API schemas of the product catalogue: products, their versions and a version's terms (rates as fractions)."""

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import BaseModel


class ProductFilters(Schema):
    kind: str = Field("", description="consumer, car, mortgage, business")
    status: Literal["", "published", "unpublished", "inactive"] = ""
    q: str = Field("", max_length=60, description="part of the code or the name")


class ProductOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    active: bool
    published_version: int | None = Field(None, description="the version on sale, if any")


class VersionSummaryOut(Schema):
    id: int
    version: int
    status: str
    published_at: dt.datetime | None
    retired_at: dt.datetime | None


class ProductDetailOut(ProductOut):
    versions: list[VersionSummaryOut]

    @staticmethod
    def resolve_versions(obj: Any) -> list[Any]:
        return list(obj.versions.order_by("-version"))


class FeeOut(Schema):
    name: str
    kind: str = Field(..., description="one_off | periodic")
    amount: Decimal | None = Field(None, description="CNY, when a fixed amount")
    rate: Decimal | None = Field(None, description="fraction of the principal, when a share")


class DocumentOut(Schema):
    type: str
    required: bool


class VersionOut(VersionSummaryOut):
    product: str = Field(..., description="product code")
    min_amount: Decimal
    max_amount: Decimal
    min_term_months: int
    max_term_months: int
    methods: list[str]
    min_rate: Decimal = Field(..., description="annual, as a fraction (0.072 = 7.2%)")
    max_rate: Decimal
    default_rate: Decimal
    fees: list[FeeOut]
    penalty_multiplier: Decimal
    grace_days: int
    compound: bool
    day_count: int
    allocation_order: str
    documents: list[DocumentOut]
    rule_set_id: int | None
    scorecard_id: int | None
    auto_approve_score: int | None
    reject_below_score: int | None
    notes: str

    @staticmethod
    def resolve_product(obj: Any) -> str:
        return str(obj.product.code)


class ProductIn(BaseModel):
    code: str = Field(..., max_length=40)
    name: str = Field(..., max_length=100)
    kind: str = Field(..., max_length=16)


class DraftIn(BaseModel):
    from_version: int | None = Field(None, description="copy this version's terms (default: the published one)")
    empty: bool = Field(False, description="start from the defaults instead of a copy")


class TermsIn(BaseModel):
    """Any subset of the terms; rule_set_id / scorecard_id name published ones (null unbinds)."""

    min_amount: Decimal | None = None
    max_amount: Decimal | None = None
    min_term_months: int | None = None
    max_term_months: int | None = None
    methods: list[str] | None = None
    min_rate: Decimal | None = None
    max_rate: Decimal | None = None
    default_rate: Decimal | None = None
    fees: list[dict[str, Any]] | None = Field(None, description='[{"name", "kind", "amount" | "rate"}]')
    penalty_multiplier: Decimal | None = None
    grace_days: int | None = None
    compound: bool | None = None
    day_count: int | None = None
    allocation_order: str | None = None
    documents: list[dict[str, Any]] | None = Field(None, description='[{"type", "required"}]')
    rule_set_id: int | None = None
    scorecard_id: int | None = None
    auto_approve_score: int | None = None
    reject_below_score: int | None = None
    notes: str | None = Field(None, max_length=2000)
