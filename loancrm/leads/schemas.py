"""API schemas of lead intake and lead reads (PII masked)."""

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema
from pydantic import BaseModel

from loancrm.core.masking import mask_id_number, mask_mobile


# Request bodies are plain pydantic models: ninja's Schema adds an attribute-access wrapper meant for reading ORM
# objects, which costs ~0.1 ms an item (a tenth of a 1,000-lead batch).
class ConsentIn(BaseModel):
    purpose: str = Field(..., max_length=20, examples=["contact"], description="contact, marketing, credit_bureau, …")
    text_version: int = Field(..., ge=1, description="the version of the published text the person agreed to")


class LeadIn(BaseModel):
    channel: str = Field(..., max_length=40, description="channel code")
    mobile: str = Field(..., max_length=30)
    name: str = Field("", max_length=60)
    id_number: str = Field("", max_length=30)
    campaign: str = Field("", max_length=80, examples=["百度信息流-2024Q2"])
    external_id: str = Field("", max_length=80, description="the partner's id; makes the call idempotent")
    city: str = Field("", max_length=40)
    region_code: str = Field("", max_length=12)
    desired_amount: Decimal | None = Field(None, description="CNY, two decimals")
    desired_product: str = Field("", max_length=60)
    consents: list[ConsentIn] = Field(
        default_factory=list, max_length=5,
        description="what the person agreed to on the partner's page: each purpose with the current text version",
    )  # fmt: skip


class IntakeOut(Schema):
    outcome: str = Field(..., description="created | duplicate | invalid")
    lead_id: int | None = Field(None, description="only for leads this call created")
    fields: dict[str, list[str]] = {}


class BatchIn(BaseModel):
    items: list[LeadIn] = Field(..., min_length=1, max_length=1000)


class BatchItemOut(IntakeOut):
    index: int


class BatchOut(Schema):
    created: int
    duplicate: int
    invalid: int
    results: list[BatchItemOut]


class LeadOut(Schema):
    id: int
    channel: str
    campaign: str
    name: str
    mobile: str = Field(..., description="masked")
    id_number: str = Field(..., description="masked")
    city: str
    desired_amount: Decimal | None
    stage: str
    validity: str
    invalid_reason: str
    owner: str | None
    hit_count: int
    created_at: dt.datetime

    @staticmethod
    def resolve_channel(obj: object) -> str:
        return obj.channel.code  # type: ignore[attr-defined]

    @staticmethod
    def resolve_mobile(obj: object) -> str:
        return mask_mobile(obj.mobile)  # type: ignore[attr-defined]

    @staticmethod
    def resolve_id_number(obj: object) -> str:
        return mask_id_number(obj.id_number)  # type: ignore[attr-defined]

    @staticmethod
    def resolve_owner(obj: object) -> str | None:
        owner = obj.owner  # type: ignore[attr-defined]
        return owner.username if owner else None


class LeadFilters(Schema):
    q: str = ""
    stage: str = ""
    channel: str = ""
    validity: str = ""
    tag: str = ""


class FunnelQuery(Schema):
    dimension: str = Field("", pattern="^(|agent|team|channel|campaign|month)$")
    start: dt.date | None = None
    end: dt.date | None = None
    channel: str = ""
    campaign: str = ""


class StageFigureOut(Schema):
    stage: str
    reached: int
    conversion: float | None
    median_hours: float | None


class FunnelRowOut(Schema):
    key: str
    total: int
    rejected: int
    stages: list[StageFigureOut]
