"""Forms of the application pages (H5 and back office). They only parse and label: the services validate terms
against the product and report problems, which ``add_domain_error`` puts on the fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from loancrm.applications.choices import Housing, Purpose
from loancrm.applications.regions import region_choices
from loancrm.core.forms import StyledFormMixin
from loancrm.customers.choices import Education
from loancrm.loans.choices import RepaymentMethod
from loancrm.products.models import ProductVersion

DECIMAL = {"inputmode": "decimal", "autocomplete": "off"}


class MobileForm(StyledFormMixin, forms.Form):
    mobile = forms.CharField(
        label=_("Mobile"), max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel", "placeholder": _("11-digit mobile")}),
    )  # fmt: skip


class CodeForm(MobileForm):
    code = forms.CharField(
        label=_("Verification code"), max_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": 6,
                                      "placeholder": _("6-digit code")}),
    )  # fmt: skip


class IdentityForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Full name (as on the ID card)"), max_length=120)
    id_number = forms.CharField(
        label=_("Resident ID number"), max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": _("18 characters")}),
    )  # fmt: skip


class ConsentForm(StyledFormMixin, forms.Form):
    consent = forms.BooleanField(label=_("I have read and agree to the authorisation above"))
    consent_version = forms.IntegerField(widget=forms.HiddenInput)


def method_choices(version: ProductVersion) -> list[tuple[str, Any]]:
    labels = dict(RepaymentMethod.choices)
    return [(m, labels.get(m, m)) for m in version.methods]


class TermsForm(StyledFormMixin, forms.Form):
    amount = forms.CharField(label=_("Amount (CNY)"), widget=forms.TextInput(attrs=DECIMAL))
    term_months = forms.ChoiceField(label=_("Term"))
    method = forms.ChoiceField(label=_("Repayment method"))
    purpose = forms.ChoiceField(label=_("Purpose"), choices=Purpose.choices)

    def __init__(self, *args: Any, version: ProductVersion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        terms = range(version.min_term_months, version.max_term_months + 1)
        preferred = [t for t in terms if t in (3, 6, 9, 12, 18, 24, 36, 48, 60)] or list(terms)
        self.fields["term_months"].choices = [(t, _("%(n)s months") % {"n": t}) for t in preferred]  # type: ignore[attr-defined]
        self.fields["method"].choices = method_choices(version)  # type: ignore[attr-defined]
        self.fields["amount"].help_text = _("From %(low)s to %(high)s") % {
            "low": f"{version.min_amount:,.0f}", "high": f"{version.max_amount:,.0f}",
        }  # fmt: skip


class DeclarationsForm(StyledFormMixin, forms.Form):
    monthly_income = forms.CharField(label=_("Monthly income after tax (CNY)"), widget=forms.TextInput(attrs=DECIMAL))
    monthly_debt = forms.CharField(
        label=_("Existing monthly repayments (CNY)"), required=False, widget=forms.TextInput(attrs=DECIMAL),
        help_text=_("Mortgage, car loan, credit cards and other loans; 0 if none."),
    )  # fmt: skip
    employment_years = forms.CharField(
        label=_("Years with the current employer"), required=False, widget=forms.TextInput(attrs=DECIMAL)
    )
    housing = forms.ChoiceField(label=_("Housing"), choices=[("", _("Choose")), *Housing.choices])
    education = forms.ChoiceField(
        label=_("Highest education"), required=False, choices=[("", _("Choose")), *Education.choices]
    )
    region = forms.ChoiceField(label=_("Where you live"))

    def __init__(self, *args: Any, id_region: str = "", current_region: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = region_choices(id_region, current_region)  # type: ignore[attr-defined]


class ApplicationForm(TermsForm, DeclarationsForm):
    """The back office's one-page form: terms and declarations together (an agent enters them with the customer);
    declarations may stay empty in a draft (submission asks for them)."""

    annual_rate = forms.CharField(
        label=_("Annual rate"), required=False, widget=forms.TextInput(attrs=DECIMAL),
        help_text=_("A fraction, e.g. 0.144 for 14.4%; empty: the product's default."),
    )  # fmt: skip

    def __init__(self, *args: Any, version: ProductVersion, **kwargs: Any) -> None:
        super().__init__(*args, version=version, **kwargs)
        for name in ("monthly_income", "housing", "region"):
            self.fields[name].required = False
        terms = range(version.min_term_months, version.max_term_months + 1)
        self.fields["term_months"].choices = [(t, _("%(n)s months") % {"n": t}) for t in terms]  # type: ignore[attr-defined]
