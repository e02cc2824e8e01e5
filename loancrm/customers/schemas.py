"""API schemas of customers: the list row and the 360 document. Every personal field is masked."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema

from loancrm.core.masking import mask, mask_address, mask_id_number, mask_mobile, mask_name


class CustomerBase(Schema):
    id: int
    number: str
    kind: str
    status: str = Field(..., description="active | dormant | closed")
    closed_at: dt.datetime | None
    name: str
    primary_mobile: str = Field(..., description="masked")
    id_number: str = Field(..., description="masked")
    owner: str | None
    created_at: dt.datetime
    updated_at: dt.datetime


class CustomerOut(CustomerBase):
    @staticmethod
    def resolve_primary_mobile(obj: Any) -> str:
        primary = obj.primary_mobile
        return mask_mobile(primary.mobile) if primary else ""

    @staticmethod
    def resolve_id_number(obj: Any) -> str:
        return mask_id_number(obj.id_number)

    @staticmethod
    def resolve_owner(obj: Any) -> str | None:
        return obj.owner.username if obj.owner else None


class CustomerFilters(Schema):
    q: str = ""
    kind: str = ""
    owner: str = ""
    tag: str = ""


class MobileOut(Schema):
    mobile: str
    is_primary: bool
    note: str


class EmergencyContactOut(Schema):
    name: str
    relationship: str
    mobile: str


class PropertyOut(Schema):
    property_type: str
    value: Decimal
    has_mortgage: bool
    mortgage_balance: Decimal | None


class VehicleOut(Schema):
    brand: str
    price: Decimal
    has_loan: bool
    loan_balance: Decimal | None


class FinancialAssetOut(Schema):
    asset_type: str
    value: Decimal


class LiabilitiesOut(Schema):
    credit_card_count: int
    credit_card_limit: Decimal
    credit_card_used: Decimal
    credit_loan_balance: Decimal
    credit_loan_monthly: Decimal
    mortgage_balance: Decimal
    mortgage_monthly: Decimal
    car_loan_balance: Decimal
    car_loan_monthly: Decimal
    other_balance: Decimal
    other_monthly: Decimal
    total_balance: Decimal
    total_monthly: Decimal


class CreditOut(Schema):
    has_report: bool
    report_date: dt.date | None
    account_count: int | None
    overdue_account_count: int | None
    max_overdue_months: int | None
    inquiries_3m: int | None
    inquiries_6m: int | None
    outstanding_debt: Decimal | None
    zhima_score: int | None
    other_score_provider: str
    other_score: int | None


class CorporateOut(Schema):
    credit_code: str
    registered_capital: Decimal | None
    industry: str
    business_scope: str
    established_on: dt.date | None
    legal_rep_name: str
    legal_rep_id_number: str = Field(..., description="masked")
    registered_address: str


class StatementOut(Schema):
    year: int
    revenue: Decimal
    net_profit: Decimal
    total_assets: Decimal
    total_liabilities: Decimal


class RelatedPartyOut(Schema):
    name: str
    relation: str
    share_pct: Decimal | None
    identifier: str = Field(..., description="masked")


class LinkedLeadOut(Schema):
    id: int
    stage: str
    channel: str
    created_at: dt.datetime


class Customer360Out(CustomerBase):
    gender: str
    birth_date: dt.date | None
    age: int | None
    marital_status: str
    education: str
    children_count: int | None
    mobiles: list[MobileOut]
    email: str = Field(..., description="masked")
    residence_address: str = Field(..., description="masked")
    hukou_address: str = Field(..., description="masked")
    emergency_contacts: list[EmergencyContactOut]
    employer: str
    occupation: str
    job_title: str
    years_employed: int | None
    monthly_income: Decimal | None
    employer_phone: str
    properties: list[PropertyOut]
    vehicles: list[VehicleOut]
    financial_assets: list[FinancialAssetOut]
    liabilities: LiabilitiesOut | None
    credit: CreditOut | None
    corporate: CorporateOut | None
    statements: list[StatementOut]
    related_parties: list[RelatedPartyOut]
    leads: list[LinkedLeadOut]


def customer_360_out(data: dict[str, Any]) -> dict[str, Any]:
    """The 360 document from ``selectors.customer_360``: plain values, personal data masked."""
    c = data["customer"]
    base = {name: getattr(c, name) for name in (
        "id", "number", "kind", "status", "closed_at", "name", "owner", "created_at", "updated_at", "gender",
        "birth_date", "marital_status", "education", "children_count", "employer", "occupation", "job_title",
        "years_employed", "monthly_income", "employer_phone",
    )}  # fmt: skip
    credit, corporate = data["credit"], data["corporate"]
    return {
        **base,
        "owner": c.owner.username if c.owner else None,
        "primary_mobile": next((mask_mobile(m.mobile) for m in data["mobiles"] if m.is_primary), ""),
        "id_number": mask_id_number(c.id_number),
        "age": c.age(),
        "mobiles": [
            {"mobile": mask_mobile(m.mobile), "is_primary": m.is_primary, "note": m.note} for m in data["mobiles"]
        ],
        "email": mask("email", c.email) if c.email else "",
        "residence_address": mask_address(c.residence_address),
        "hukou_address": mask_address(c.hukou_address),
        "emergency_contacts": [
            {"name": mask_name(e.name), "relationship": e.relationship, "mobile": mask_mobile(e.mobile)}
            for e in data["contacts"]
        ],
        "properties": data["properties"],
        "vehicles": data["vehicles"],
        "financial_assets": data["financial_assets"],
        "liabilities": data["liabilities"],
        "credit": {
            **{f: getattr(credit, f) for f in CreditOut.model_fields if f != "has_report"},
            "has_report": bool(credit.report_file),
        }
        if credit
        else None,
        "corporate": {
            **{f: getattr(corporate, f) for f in CorporateOut.model_fields},
            "legal_rep_id_number": mask_id_number(corporate.legal_rep_id_number),
        }
        if corporate
        else None,
        "statements": data["statements"],
        "related_parties": [
            {
                "name": p.name,
                "relation": p.relation,
                "share_pct": p.share_pct,
                "identifier": mask_id_number(p.identifier),
            }
            for p in data["related_parties"]
        ],
        "leads": [
            {"id": ld.pk, "stage": ld.stage, "channel": ld.channel.code, "created_at": ld.created_at}
            for ld in data["leads"]
        ],
    }


class StatusIn(Schema):
    status: Literal["active", "dormant", "closed"]
    reason: str = Field(..., max_length=500, description="mandatory; audited and shown on the timeline")


class StatusChangeOut(Schema):
    from_status: str
    to_status: str
    reason: str
    changed_by: str
    changed_at: dt.datetime

    @staticmethod
    def resolve_changed_by(obj: Any) -> str:
        return str(obj.actor.username)


class StatusOut(Schema):
    id: int
    number: str
    status: str
    closed_at: dt.datetime | None
    change: StatusChangeOut = Field(..., description="the change this call made")


class ConvertIn(Schema):
    id_number: str = Field("", max_length=30, description="used only when the lead has none")


class ConvertOut(Schema):
    customer_id: int
    number: str
    created: bool = Field(..., description="false when the lead was linked to an existing customer")
    already_linked: bool
