"""The editable sections of the 360 page: which form and row sets each has, their initial values, and the one
service call that saves them. Shared by the edit view; no business rules here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.forms.models import model_to_dict
from django.utils.translation import gettext_lazy as _

from loancrm.customers import forms as f
from loancrm.customers import services
from loancrm.customers.choices import Kind
from loancrm.customers.models import CorporateProfile, CreditProfile, Customer, EmergencyContact, Liabilities
from loancrm.customers.services import credit as credit_services
from loancrm.customers.services import sections as spec

Rows = dict[str, list[dict[str, Any]]]


@dataclass(frozen=True)
class Section:
    key: str
    title: Any
    kinds: tuple[str, ...]
    form: type[forms.Form] | None
    initial: Callable[[Customer], dict[str, Any]]
    save: Callable[..., Any]
    rowsets: dict[str, tuple[Any, type[forms.Form], Callable[[Customer], list[dict[str, Any]]]]] = field(
        default_factory=dict
    )
    multipart: bool = False


# Sources of suggested values for empty fields (documents registers the latest ID-card OCR reading).
PrefillSource = Callable[[Customer], dict[str, Any]]
_prefill_sources: list[PrefillSource] = []


def register_prefill(source: PrefillSource) -> None:
    if source not in _prefill_sources:
        _prefill_sources.append(source)


def prefilled_initial(section: Section, customer: Customer) -> tuple[dict[str, Any], list[str]]:
    """The section's initial values with its empty fields filled from the prefill sources, and the names filled.

    Only the form's own fields, only where the customer has nothing yet; nothing is saved until the user saves.
    """
    initial = section.initial(customer)
    names = set(section.form.base_fields) if section.form else set()
    filled: list[str] = []
    for source in list(_prefill_sources):
        for name, value in source(customer).items():
            if name in names and name in initial and not initial[name] and value:
                initial[name] = value
                filled.append(name)
    return initial, filled


def _fields(obj: Any, names: Any) -> dict[str, Any]:
    return {} if obj is None else {name: getattr(obj, name) for name in names}


def _rows(qs: Any, names: tuple[str, ...]) -> list[dict[str, Any]]:
    return [model_to_dict(row, fields=("id", *names)) for row in qs]


def _one(model: Any, customer: Customer) -> Any:
    return model.objects.filter(customer=customer).first()


def _corporate_initial(customer: Customer) -> dict[str, Any]:
    return {"name": customer.name, **_fields(_one(CorporateProfile, customer), spec.CORPORATE)}


BOTH = (Kind.INDIVIDUAL, Kind.CORPORATE)
SECTIONS: dict[str, Section] = {
    section.key: section
    for section in (
        Section(
            "identity", _("Identity"), (Kind.INDIVIDUAL,), f.IdentityForm,
            lambda c: _fields(c, ("name", "id_number", "marital_status", "education", "children_count")),
            lambda **kw: services.customer_update_identity(**kw["data"], **kw["common"]),
        ),
        Section(
            "corporate", _("Company"), (Kind.CORPORATE,), f.CorporateForm, _corporate_initial,
            lambda **kw: services.customer_update_corporate(
                name=kw["data"].pop("name"), values=kw["data"], **kw["common"]
            ),
        ),
        Section(
            "contacts", _("Contacts"), BOTH, f.ContactsForm, lambda c: _fields(c, spec.CONTACT),
            lambda **kw: services.customer_update_contacts(
                **kw["data"], mobiles=kw["rows"]["mobiles"], emergency_contacts=kw["rows"]["contacts"], **kw["common"]
            ),
            {
                "mobiles": (_("Mobiles"), f.MobileRow, lambda c: _rows(c.mobiles.all(), spec.MOBILE)),
                "contacts": (_("Emergency contacts"), f.EmergencyRow,
                             lambda c: _rows(EmergencyContact.objects.filter(customer=c), spec.EMERGENCY)),
            },
        ),
        Section(
            "employment", _("Employment"), (Kind.INDIVIDUAL,), f.EmploymentForm, lambda c: _fields(c, spec.EMPLOYMENT),
            lambda **kw: services.customer_update_employment(**kw["data"], **kw["common"]),
        ),
        Section(
            "assets", _("Assets"), (Kind.INDIVIDUAL,), None, lambda c: {},
            lambda **kw: services.customer_update_assets(
                properties=kw["rows"]["properties"], vehicles=kw["rows"]["vehicles"],
                financial_assets=kw["rows"]["financial_assets"], **kw["common"],
            ),
            {
                "properties": (_("Properties"), f.PropertyRow, lambda c: _rows(c.properties.all(), spec.PROPERTY)),
                "vehicles": (_("Vehicles"), f.VehicleRow, lambda c: _rows(c.vehicles.all(), spec.VEHICLE)),
                "financial_assets": (_("Financial assets"), f.FinancialAssetRow,
                                     lambda c: _rows(c.financial_assets.all(), spec.ASSET)),
            },
        ),
        Section(
            "liabilities", _("Liabilities"), (Kind.INDIVIDUAL,), f.LiabilitiesForm,
            lambda c: _fields(_one(Liabilities, c), spec.LIABILITY),
            lambda **kw: services.customer_update_liabilities(values=kw["data"], **kw["common"]),
        ),
        Section(
            "credit", _("Credit"), BOTH, f.CreditForm,
            lambda c: _fields(_one(CreditProfile, c), credit_services.FIGURES),
            lambda **kw: services.customer_update_credit(
                values=kw["data"], report_file=kw["data"].pop("report_file", None) or None, **kw["common"]
            ),
            multipart=True,
        ),
        Section(
            "financials", _("Financial statements"), (Kind.CORPORATE,), None, lambda c: {},
            lambda **kw: services.customer_update_financials(statements=kw["rows"]["statements"], **kw["common"]),
            {"statements": (_("Financial statements"), f.StatementRow,
                            lambda c: _rows(c.statements.all(), spec.STATEMENT))},
        ),
        Section(
            "related_parties", _("Related parties"), (Kind.CORPORATE,), None, lambda c: {},
            lambda **kw: services.customer_update_related_parties(parties=kw["rows"]["parties"], **kw["common"]),
            {"parties": (_("Related parties"), f.PartyRow, lambda c: _rows(c.related_parties.all(), spec.PARTY))},
        ),
    )
}  # fmt: skip


def sections_for(customer: Customer) -> list[Section]:
    return [section for section in SECTIONS.values() if customer.kind in section.kinds]


def row_data(formset: Any) -> list[dict[str, Any]]:
    """The kept rows of a valid formset, each as the service expects it (deleted and blank rows dropped)."""
    rows = []
    for form in formset.forms:
        if not form.cleaned_data or form.cleaned_data.get("DELETE"):
            continue
        rows.append(form.service_data())
    return rows
