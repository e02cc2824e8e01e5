"""Edits of the customer profile, one service per section of the 360 page.

Invariants: the actor needs ``customers.change_customer`` and the customer in scope (else NotFound); each
section is validated as a whole and replaced in one transaction (lists are rewritten, so the stored rows are
exactly the submitted ones); the audit event carries the section's before/after with PII masked.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loancrm.core.china_ids import is_valid_credit_code, is_valid_id_number
from loancrm.core.errors import InvalidTransition, ValidationFailed
from loancrm.core.money import to_money
from loancrm.customers.choices import (
    Education,
    FinancialAssetType,
    Kind,
    MaritalStatus,
    PartyRelation,
    PropertyType,
    Relationship,
)
from loancrm.customers.models import (
    CorporateProfile,
    Customer,
    CustomerMobile,
    EmergencyContact,
    FinancialAsset,
    FinancialStatement,
    Liabilities,
    Property,
    RelatedParty,
    Vehicle,
)
from loancrm.customers.services.common import (
    Errors,
    SectionAudit,
    apply_id_number,
    check_money,
    check_range,
    clean_id_number,
    clean_mobile,
    locked_customer,
    raise_if,
    rows_snapshot,
    snapshot,
)
from loancrm.customers.services.convert import clean_credit_code

IDENTITY = ("name", "id_number", "gender", "birth_date", "marital_status", "education", "children_count")
CONTACT = ("email", "residence_address", "hukou_address")
CONTACT_PII = {"residence_address": "address", "hukou_address": "address"}
MOBILE = ("mobile", "is_primary", "note")
EMERGENCY = ("name", "relationship", "mobile")
EMPLOYMENT = ("employer", "occupation", "job_title", "years_employed", "monthly_income", "employer_phone")
PROPERTY = ("property_type", "value", "has_mortgage", "mortgage_balance")
VEHICLE = ("brand", "price", "has_loan", "loan_balance")
ASSET = ("asset_type", "value")
LIABILITY = (
    "credit_card_count", "credit_card_limit", "credit_card_used", "credit_loan_balance", "credit_loan_monthly",
    "mortgage_balance", "mortgage_monthly", "car_loan_balance", "car_loan_monthly", "other_balance", "other_monthly",
)  # fmt: skip
CORPORATE = (
    "credit_code", "registered_capital", "industry", "business_scope", "established_on", "legal_rep_name",
    "legal_rep_id_number", "registered_address",
)  # fmt: skip
STATEMENT = ("year", "revenue", "net_profit", "total_assets", "total_liabilities")
PARTY = ("name", "relation", "share_pct", "identifier")


def _choice(value: str, choices: Any, field: str, errors: Errors, *, required: bool = False) -> str:
    value = (value or "").strip()
    if (value or required) and value not in choices.values:
        errors.setdefault(field, []).append(_("Choose one of the allowed values."))
    return value


def _money(value: Any) -> Decimal | None:
    return None if value in (None, "") else to_money(value)


def _require_kind(customer: Customer, kind: str) -> None:
    if customer.kind != kind:
        raise InvalidTransition(_("This section does not apply to this kind of customer."))


@transaction.atomic
def customer_update_identity(
    *,
    actor: Any,
    customer_id: int,
    name: str,
    id_number: str | None = None,
    marital_status: str = "",
    education: str = "",
    children_count: int | None = None,
    request: HttpRequest | None = None,
) -> Customer:
    """Name, ID number (birth date, gender and age are read from it; None keeps it), marital status, education,
    children."""
    customer = locked_customer(actor, customer_id)
    _require_kind(customer, Kind.INDIVIDUAL)
    errors: Errors = {}
    if not (name or "").strip():
        errors["name"] = [_("This field is required.")]
    number = customer.id_number if id_number is None else clean_id_number(id_number, "id_number", errors)
    if customer.id_number and not number and "id_number" not in errors:
        errors["id_number"] = [_("An ID number on file cannot be removed, only corrected.")]
    marital_status = _choice(marital_status, MaritalStatus, "marital_status", errors)
    education = _choice(education, Education, "education", errors)
    check_range(children_count, "children_count", errors, 0, 20)
    raise_if(errors)
    audit = SectionAudit(lambda masked: snapshot(customer, IDENTITY, {"id_number": "id_number"} if masked else None))
    customer.name, customer.marital_status, customer.education = name.strip(), marital_status, education
    customer.children_count = children_count
    apply_id_number(customer, number)
    try:
        with transaction.atomic():
            customer.save()
    except IntegrityError as exc:
        raise ValidationFailed(fields={"id_number": [_("Another customer has this ID number.")]}) from exc
    audit.write(actor, customer, "identity", request)
    return customer


@transaction.atomic
def customer_update_contacts(
    *,
    actor: Any,
    customer_id: int,
    mobiles: list[dict[str, Any]],
    email: str | None = None,
    residence_address: str | None = None,
    hukou_address: str | None = None,
    emergency_contacts: list[dict[str, Any]] | None = None,
    request: HttpRequest | None = None,
) -> Customer:
    """Mobiles (at least one, exactly one primary, the primary unique among customers), addresses, e-mail and
    emergency contacts. A None e-mail or address, or a row with the ``id`` of a stored row and a None mobile, keeps the
    stored value (edit forms never show it in plaintext)."""
    customer = locked_customer(actor, customer_id)
    errors: Errors = {}
    stored = {m.pk: m.mobile for m in customer.mobiles.all()}
    clean_mobiles = []
    for row in mobiles:
        raw = row.get("mobile") if row.get("mobile") is not None else stored.get(row.get("id") or 0, "")
        number = clean_mobile(str(raw or ""), "mobiles", errors)
        clean_mobiles.append({"mobile": number, "is_primary": bool(row.get("is_primary")), "note": row.get("note", "")})
    if not clean_mobiles:
        errors.setdefault("mobiles", []).append(_("Enter at least one mobile number."))
    elif sum(m["is_primary"] for m in clean_mobiles) > 1:
        errors.setdefault("mobiles", []).append(_("Mark exactly one mobile number as primary."))
    elif len({m["mobile"] for m in clean_mobiles}) != len(clean_mobiles):
        errors.setdefault("mobiles", []).append(_("Each mobile number may be listed once."))
    elif not any(m["is_primary"] for m in clean_mobiles):
        clean_mobiles[0]["is_primary"] = True
    if email:
        try:
            validate_email(email.strip())
        except DjangoValidationError:
            errors.setdefault("email", []).append(_("Enter a valid e-mail address."))
    contacts = []
    stored = {c.pk: c.mobile for c in EmergencyContact.objects.filter(customer=customer)}
    for row in emergency_contacts or []:
        contact_name = str(row.get("name") or "").strip()
        if not contact_name:
            errors.setdefault("emergency_contacts", []).append(_("Every emergency contact needs a name."))
        relationship = _choice(row.get("relationship", ""), Relationship, "emergency_contacts", errors, required=True)
        raw = row.get("mobile") if row.get("mobile") is not None else stored.get(row.get("id") or 0, "")
        mobile = clean_mobile(str(raw or ""), "emergency_contacts", errors)
        contacts.append({"name": contact_name, "relationship": relationship, "mobile": mobile})
    raise_if(errors)
    audit = SectionAudit(lambda masked: _contacts_snapshot(customer, masked))
    if email is not None:
        customer.email = email.strip()
    if residence_address is not None:
        customer.residence_address = residence_address.strip()
    if hukou_address is not None:
        customer.hukou_address = hukou_address.strip()
    customer.save(update_fields=["email", "residence_address", "hukou_address"])
    customer.mobiles.all().delete()
    try:
        with transaction.atomic():
            for row in clean_mobiles:
                CustomerMobile.objects.create(customer=customer, **row)
    except IntegrityError as exc:
        raise ValidationFailed(fields={"mobiles": [_("Another customer has this primary mobile number.")]}) from exc
    EmergencyContact.objects.filter(customer=customer).delete()
    EmergencyContact.objects.bulk_create([EmergencyContact(customer=customer, **row) for row in contacts])
    audit.write(actor, customer, "contacts", request)
    return customer


def _contacts_snapshot(customer: Customer, masked: bool) -> dict[str, Any]:
    return {
        **snapshot(customer, CONTACT, {**CONTACT_PII, "email": "email"} if masked else None),
        "mobiles": rows_snapshot(customer.mobiles.order_by("id"), MOBILE, {"mobile": "mobile"} if masked else None),
        "emergency_contacts": rows_snapshot(
            EmergencyContact.objects.filter(customer=customer).order_by("id"),
            EMERGENCY,
            {"mobile": "mobile", "name": "name"} if masked else None,
        ),
    }


@transaction.atomic
def customer_update_employment(
    *,
    actor: Any,
    customer_id: int,
    employer: str = "",
    occupation: str = "",
    job_title: str = "",
    years_employed: int | None = None,
    monthly_income: Any = None,
    employer_phone: str = "",
    request: HttpRequest | None = None,
) -> Customer:
    """Employer, occupation, title, years employed, monthly income and the employer's phone."""
    customer = locked_customer(actor, customer_id)
    _require_kind(customer, Kind.INDIVIDUAL)
    errors: Errors = {}
    income = _money(monthly_income)
    check_money(income, "monthly_income", errors)
    check_range(years_employed, "years_employed", errors, 0, 60)
    raise_if(errors)
    audit = SectionAudit(lambda masked: snapshot(customer, EMPLOYMENT))
    customer.employer, customer.occupation, customer.job_title = employer.strip(), occupation.strip(), job_title.strip()
    customer.years_employed, customer.monthly_income, customer.employer_phone = years_employed, income, employer_phone
    customer.save(update_fields=list(EMPLOYMENT))
    audit.write(actor, customer, "employment", request)
    return customer


def _clean_secured(
    rows: list[dict[str, Any]], value_key: str, flag: str, balance: str, field: str, errors: Errors
) -> list[dict[str, Any]]:
    clean = []
    for row in rows:
        item = {**row, value_key: _money(row.get(value_key)), balance: _money(row.get(balance))}
        item[flag] = bool(row.get(flag))
        check_money(item[value_key], field, errors, required=True)
        if item[flag]:
            check_money(item[balance], field, errors, required=True)
        else:
            item[balance] = None
        clean.append(item)
    return clean


@transaction.atomic
def customer_update_assets(
    *,
    actor: Any,
    customer_id: int,
    properties: list[dict[str, Any]],
    vehicles: list[dict[str, Any]],
    financial_assets: list[dict[str, Any]],
    request: HttpRequest | None = None,
) -> Customer:
    """Properties (with mortgage balance when mortgaged), vehicles (with loan balance when on loan), financial
    assets. A balance is kept only when the mortgage/loan flag is set."""
    customer = locked_customer(actor, customer_id)
    errors: Errors = {}
    homes = _clean_secured(properties, "value", "has_mortgage", "mortgage_balance", "properties", errors)
    for row in homes:
        _choice(row.get("property_type", ""), PropertyType, "properties", errors, required=True)
    cars = _clean_secured(vehicles, "price", "has_loan", "loan_balance", "vehicles", errors)
    for row in cars:
        if not str(row.get("brand") or "").strip():
            errors.setdefault("vehicles", []).append(_("Every vehicle needs a brand."))
    assets = [{"asset_type": row.get("asset_type", ""), "value": _money(row.get("value"))} for row in financial_assets]
    for row in assets:
        _choice(row["asset_type"], FinancialAssetType, "financial_assets", errors, required=True)
        check_money(row["value"], "financial_assets", errors, required=True)
    raise_if(errors)
    audit = SectionAudit(lambda masked: _assets_snapshot(customer))
    for model in (Property, Vehicle, FinancialAsset):
        model.objects.filter(customer=customer).delete()
    Property.objects.bulk_create([Property(customer=customer, **{k: row[k] for k in PROPERTY}) for row in homes])
    Vehicle.objects.bulk_create([Vehicle(customer=customer, **{k: row[k] for k in VEHICLE}) for row in cars])
    FinancialAsset.objects.bulk_create([FinancialAsset(customer=customer, **row) for row in assets])
    audit.write(actor, customer, "assets", request)
    return customer


def _assets_snapshot(customer: Customer) -> dict[str, Any]:
    return {
        "properties": rows_snapshot(Property.objects.filter(customer=customer).order_by("id"), PROPERTY),
        "vehicles": rows_snapshot(Vehicle.objects.filter(customer=customer).order_by("id"), VEHICLE),
        "financial_assets": rows_snapshot(FinancialAsset.objects.filter(customer=customer).order_by("id"), ASSET),
    }


@transaction.atomic
def customer_update_liabilities(
    *, actor: Any, customer_id: int, values: dict[str, Any], request: HttpRequest | None = None
) -> Liabilities:
    """Credit cards (count, total limit, balance used), credit loans, mortgage, car loan and other debt; the
    amounts are zero or more and the used card balance is at most the limit."""
    customer = locked_customer(actor, customer_id)
    errors: Errors = {}
    clean: dict[str, Any] = {}
    for name in LIABILITY:
        if name == "credit_card_count":
            clean[name] = int(values.get(name) or 0)
            check_range(clean[name], name, errors, 0, 200)
        else:
            clean[name] = _money(values.get(name)) or Decimal("0.00")
            check_money(clean[name], name, errors)
    raise_if(errors)
    liabilities, _created = Liabilities.objects.get_or_create(customer=customer)
    audit = SectionAudit(lambda masked: snapshot(liabilities, LIABILITY))
    for name, value in clean.items():
        setattr(liabilities, name, value)
    liabilities.save()
    audit.write(actor, customer, "liabilities", request)
    return liabilities


@transaction.atomic
def customer_update_corporate(
    *, actor: Any, customer_id: int, name: str, values: dict[str, Any], request: HttpRequest | None = None
) -> CorporateProfile:
    """Company name and registration data; the credit code stays unique among customers; a None legal
    representative's ID number keeps the stored one."""
    customer = locked_customer(actor, customer_id)
    _require_kind(customer, Kind.CORPORATE)
    errors: Errors = {}
    if not (name or "").strip():
        errors["name"] = [_("This field is required.")]
    clean = {key: values.get(key) for key in CORPORATE}
    clean["credit_code"] = clean_credit_code(str(clean["credit_code"] or ""), errors)
    profile = CorporateProfile.objects.select_for_update().get(customer=customer)
    if clean["legal_rep_id_number"] is None:
        clean["legal_rep_id_number"] = profile.legal_rep_id_number
    else:
        clean["legal_rep_id_number"] = clean_id_number(clean["legal_rep_id_number"], "legal_rep_id_number", errors)
    clean["registered_capital"] = _money(clean["registered_capital"])
    check_money(clean["registered_capital"], "registered_capital", errors)
    for key in ("industry", "business_scope", "legal_rep_name", "registered_address"):
        clean[key] = str(clean[key] or "").strip()
    if clean["established_on"] and clean["established_on"] > timezone.localdate():
        errors.setdefault("established_on", []).append(_("The date cannot be in the future."))
    raise_if(errors)
    pii = {"legal_rep_id_number": "id_number"}
    audit = SectionAudit(
        lambda masked: {"name": customer.name, **snapshot(profile, CORPORATE, pii if masked else None)}
    )
    for key, value in clean.items():
        setattr(profile, key, value)
    customer.name = name.strip()
    customer.save(update_fields=["name"])
    try:
        with transaction.atomic():
            profile.save()
    except IntegrityError as exc:
        raise ValidationFailed(fields={"credit_code": [_("Another customer has this credit code.")]}) from exc
    audit.write(actor, customer, "corporate", request)
    return profile


@transaction.atomic
def customer_update_financials(
    *, actor: Any, customer_id: int, statements: list[dict[str, Any]], request: HttpRequest | None = None
) -> Customer:
    """Yearly statement summaries, one per year, years from 1980 to this year."""
    customer = locked_customer(actor, customer_id)
    _require_kind(customer, Kind.CORPORATE)
    errors: Errors = {}
    clean = []
    for row in statements:
        item = {"year": row.get("year")} | {k: _money(row.get(k)) for k in STATEMENT[1:]}
        check_range(item["year"], "statements", errors, 1980, timezone.localdate().year)
        for key in ("revenue", "total_assets", "total_liabilities"):
            check_money(item[key], "statements", errors, required=True)
        check_money(item["net_profit"], "statements", errors, required=True, signed=True)
        clean.append(item)
    if len({row["year"] for row in clean}) != len(clean):
        errors.setdefault("statements", []).append(_("Enter each year once."))
    raise_if(errors)
    rows = FinancialStatement.objects.filter(customer=customer)
    audit = SectionAudit(lambda masked: rows_snapshot(rows.order_by("year"), STATEMENT))
    rows.delete()
    FinancialStatement.objects.bulk_create([FinancialStatement(customer=customer, **row) for row in clean])
    audit.write(actor, customer, "financials", request)
    return customer


@transaction.atomic
def customer_update_related_parties(
    *, actor: Any, customer_id: int, parties: list[dict[str, Any]], request: HttpRequest | None = None
) -> Customer:
    """Shareholders, controllers and other related parties; shares 0–100 % and at most 100 % in total; the
    identifier is a valid credit code or ID number (a None identifier with a stored row's ``id`` keeps it)."""
    customer = locked_customer(actor, customer_id)
    _require_kind(customer, Kind.CORPORATE)
    errors: Errors = {}
    clean = []
    stored = {p.pk: p.identifier for p in RelatedParty.objects.filter(customer=customer)}
    for row in parties:
        share = None if row.get("share_pct") in (None, "") else Decimal(str(row["share_pct"]))
        raw = row.get("identifier") if row.get("identifier") is not None else stored.get(row.get("id") or 0, "")
        identifier = str(raw or "").strip().upper()
        relation = _choice(row.get("relation", ""), PartyRelation, "parties", errors, required=True)
        item: dict[str, Any] = {
            "name": str(row.get("name") or "").strip(),
            "share_pct": share,
            "identifier": identifier,
            "relation": relation,
        }
        if not item["name"]:
            errors.setdefault("parties", []).append(_("Every related party needs a name."))
        check_range(share, "parties", errors, 0, 100)
        if identifier and not (is_valid_credit_code(identifier) or is_valid_id_number(identifier)):
            errors.setdefault("parties", []).append(_("Enter a valid credit code or ID number."))
        clean.append(item)
    if sum((row["share_pct"] or Decimal(0) for row in clean), Decimal(0)) > 100:
        errors.setdefault("parties", []).append(_("The shares add up to more than 100%."))
    raise_if(errors)
    rows = RelatedParty.objects.filter(customer=customer)
    pii = {"identifier": "id_number"}
    audit = SectionAudit(lambda masked: rows_snapshot(rows.order_by("id"), PARTY, pii if masked else None))
    rows.delete()
    RelatedParty.objects.bulk_create([RelatedParty(customer=customer, **row) for row in clean])
    audit.write(actor, customer, "related_parties", request)
    return customer
