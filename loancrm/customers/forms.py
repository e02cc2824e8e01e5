"""Edit forms of the customer 360 sections. Forms only parse input; the services validate and save.

Personal data is never put into an edit form in plaintext: the stored value shows masked as a placeholder and a
blank input keeps it (the form hands the service None for it).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from loancrm.core.forms import DateInput, StyledFormMixin
from loancrm.core.masking import mask
from loancrm.customers.choices import (
    Education,
    FinancialAssetType,
    MaritalStatus,
    PartyRelation,
    PropertyType,
    Relationship,
)
from loancrm.customers.storage import MAX_REPORT_BYTES


def _optional(choices: Any) -> list[tuple[str, Any]]:
    return [("", "—"), *choices]


def _money(label: Any, *, required: bool = False) -> forms.DecimalField:
    return forms.DecimalField(label=label, max_digits=18, decimal_places=2, required=required, min_value=0)


class PiiFormMixin(StyledFormMixin):
    """Tabler styling; ``pii`` maps field → mask kind: the stored value becomes a masked placeholder and a blank
    input means "keep" (None for the service)."""

    pii: dict[str, str] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, kind in self.pii.items():
            stored = self.initial.pop(name, "")  # type: ignore[attr-defined]
            if stored:
                field = self.fields[name]  # type: ignore[attr-defined]
                field.widget.attrs["placeholder"] = mask(kind, stored)
                field.help_text = _("Leave blank to keep the stored value.")

    def service_data(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k != "DELETE"}  # type: ignore[attr-defined]
        for name in self.pii:
            if not data.get(name) and (data.get("id") or "id" not in self.fields):  # type: ignore[attr-defined]
                data[name] = None
        return data


class IdentityForm(PiiFormMixin, forms.Form):
    pii = {"id_number": "id_number"}
    name = forms.CharField(label=_("Full name"), max_length=120)
    id_number = forms.CharField(label=_("ID number"), max_length=30, required=False)
    marital_status = forms.ChoiceField(
        label=_("Marital status"), choices=_optional(MaritalStatus.choices), required=False
    )
    education = forms.ChoiceField(label=_("Education"), choices=_optional(Education.choices), required=False)
    children_count = forms.IntegerField(label=_("Number of children"), min_value=0, max_value=20, required=False)


class ContactsForm(PiiFormMixin, forms.Form):
    pii = {"email": "email", "residence_address": "address", "hukou_address": "address"}
    email = forms.EmailField(label=_("E-mail"), required=False)
    residence_address = forms.CharField(label=_("Residence address"), max_length=200, required=False)
    hukou_address = forms.CharField(label=_("Household registration address"), max_length=200, required=False)


class RowForm(PiiFormMixin, forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)


class MobileRow(RowForm):
    pii = {"mobile": "mobile"}
    mobile = forms.CharField(label=_("Mobile"), max_length=30, required=False)
    is_primary = forms.BooleanField(label=_("Primary"), required=False)
    note = forms.CharField(label=_("Note"), max_length=40, required=False)


class EmergencyRow(RowForm):
    pii = {"mobile": "mobile"}
    name = forms.CharField(label=_("Name"), max_length=60)
    relationship = forms.ChoiceField(label=_("Relationship"), choices=_optional(Relationship.choices))
    mobile = forms.CharField(label=_("Mobile"), max_length=30, required=False)


class EmploymentForm(PiiFormMixin, forms.Form):
    employer = forms.CharField(label=_("Employer"), max_length=120, required=False)
    occupation = forms.CharField(label=_("Occupation"), max_length=60, required=False)
    job_title = forms.CharField(label=_("Job title"), max_length=60, required=False)
    years_employed = forms.IntegerField(label=_("Years employed"), min_value=0, max_value=60, required=False)
    monthly_income = _money(_("Monthly income"))
    employer_phone = forms.CharField(label=_("Employer phone"), max_length=30, required=False)


class PropertyRow(RowForm):
    property_type = forms.ChoiceField(label=_("Property type"), choices=_optional(PropertyType.choices))
    value = _money(_("Estimated value"), required=True)
    has_mortgage = forms.BooleanField(label=_("Mortgaged"), required=False)
    mortgage_balance = _money(_("Mortgage balance"))


class VehicleRow(RowForm):
    brand = forms.CharField(label=_("Brand"), max_length=60)
    price = _money(_("Purchase price"), required=True)
    has_loan = forms.BooleanField(label=_("On loan"), required=False)
    loan_balance = _money(_("Car loan balance"))


class FinancialAssetRow(RowForm):
    asset_type = forms.ChoiceField(label=_("Asset type"), choices=_optional(FinancialAssetType.choices))
    value = _money(_("Value"), required=True)


class LiabilitiesForm(PiiFormMixin, forms.Form):
    credit_card_count = forms.IntegerField(label=_("Credit cards"), min_value=0, max_value=200, required=False)
    credit_card_limit = _money(_("Total credit card limit"))
    credit_card_used = _money(_("Credit card balance used"))
    credit_loan_balance = _money(_("Credit loan balance"))
    credit_loan_monthly = _money(_("Credit loan monthly payment"))
    mortgage_balance = _money(_("Mortgage balance"))
    mortgage_monthly = _money(_("Mortgage monthly payment"))
    car_loan_balance = _money(_("Car loan balance"))
    car_loan_monthly = _money(_("Car loan monthly payment"))
    other_balance = _money(_("Other debt balance"))
    other_monthly = _money(_("Other debt monthly payment"))


class CreditForm(PiiFormMixin, forms.Form):
    report_file = forms.FileField(
        label=_("PBOC credit report"),
        required=False,
        help_text=_("PDF, JPG or PNG, at most %(mb)s MB.") % {"mb": MAX_REPORT_BYTES // (1024 * 1024)},
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )
    report_date = forms.DateField(label=_("Report date"), required=False, widget=DateInput())
    account_count = forms.IntegerField(label=_("Credit accounts"), min_value=0, required=False)
    overdue_account_count = forms.IntegerField(label=_("Overdue accounts"), min_value=0, required=False)
    max_overdue_months = forms.IntegerField(label=_("Longest overdue (months)"), min_value=0, required=False)
    inquiries_3m = forms.IntegerField(label=_("Inquiries in the last 3 months"), min_value=0, required=False)
    inquiries_6m = forms.IntegerField(label=_("Inquiries in the last 6 months"), min_value=0, required=False)
    outstanding_debt = _money(_("Outstanding debt"))
    zhima_score = forms.IntegerField(label=_("Zhima credit score"), required=False)
    other_score_provider = forms.CharField(label=_("Other score provider"), max_length=40, required=False)
    other_score = forms.IntegerField(label=_("Other score"), required=False)


class CorporateForm(PiiFormMixin, forms.Form):
    pii = {"legal_rep_id_number": "id_number"}
    name = forms.CharField(label=_("Company name"), max_length=120)
    credit_code = forms.CharField(label=_("Unified social credit code"), max_length=30)
    registered_capital = _money(_("Registered capital"))
    industry = forms.CharField(label=_("Industry"), max_length=60, required=False)
    established_on = forms.DateField(label=_("Established on"), required=False, widget=DateInput())
    legal_rep_name = forms.CharField(label=_("Legal representative"), max_length=60, required=False)
    legal_rep_id_number = forms.CharField(label=_("Legal representative's ID number"), max_length=30, required=False)
    registered_address = forms.CharField(label=_("Registered address"), max_length=200, required=False)
    business_scope = forms.CharField(
        label=_("Business scope"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class StatementRow(RowForm):
    year = forms.IntegerField(label=_("Year"), min_value=1980, max_value=2100)
    revenue = _money(_("Revenue"), required=True)
    net_profit = forms.DecimalField(label=_("Net profit"), max_digits=18, decimal_places=2)
    total_assets = _money(_("Total assets"), required=True)
    total_liabilities = _money(_("Total liabilities"), required=True)


class PartyRow(RowForm):
    pii = {"identifier": "id_number"}
    name = forms.CharField(label=_("Name"), max_length=120)
    relation = forms.ChoiceField(label=_("Relation"), choices=_optional(PartyRelation.choices))
    share_pct = forms.DecimalField(label=_("Share (%)"), max_digits=5, decimal_places=2, min_value=0, max_value=100,
                                   required=False)  # fmt: skip
    identifier = forms.CharField(label=_("Credit code or ID number"), max_length=30, required=False)


def rows_formset(form: type[forms.Form]) -> Any:
    return formset_factory(form, extra=1, can_delete=True, max_num=30, validate_max=True)
