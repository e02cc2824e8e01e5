"""Catalogue forms: a new product, the list filters, and a draft version's terms (rates typed as percentages,
stored as fractions; fees as rows of a formset; the document checklist as one choice per document type)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.forms.utils import ErrorDict
from django.utils.translation import gettext_lazy as _

from loancrm.core.forms import StyledFormMixin
from loancrm.loans.choices import RepaymentMethod
from loancrm.products.display import DOCUMENT_LABELS, FEE_KIND_LABELS, order_choices, percent_text
from loancrm.products.models import DayCount, ProductKind, ProductVersion
from loancrm.products.terms import DOCUMENT_TYPES, FEE_KINDS
from loancrm.rules.models import RuleSet, RuleSetStatus
from loancrm.scoring.models import Scorecard, ScorecardStatus

HUNDRED = Decimal(100)
RATE = Decimal("0.000001")
STATUS_FILTERS = (
    ("published", _("On sale (has a published version)")),
    ("unpublished", _("Not yet published")),
    ("inactive", _("Inactive")),
)


class ProductFilterForm(forms.Form):
    q = forms.CharField(required=False)
    kind = forms.ChoiceField(required=False, choices=[("", ""), *ProductKind.choices])
    status = forms.ChoiceField(required=False, choices=[("", ""), *STATUS_FILTERS])


class ProductForm(StyledFormMixin, forms.Form):
    code = forms.CharField(label=_("Product code"), max_length=40, help_text=_("Upper case, unique, e.g. CONSUMER"))
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=ProductKind.choices)


class FeeForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Fee name"), max_length=60, required=False)
    kind = forms.ChoiceField(label=_("Charged"), choices=[(k, FEE_KIND_LABELS[k]) for k in FEE_KINDS])
    basis = forms.ChoiceField(
        label=_("Basis"), choices=[("amount", _("Amount (CNY)")), ("rate", _("Share of principal (%)"))]
    )
    value = forms.DecimalField(label=_("Amount or share"), required=False, min_value=0, max_digits=14, decimal_places=4)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        name, value = (data.get("name") or "").strip(), data.get("value")
        if not name and value is None:
            data["empty"] = True
            return data
        if not name:
            self.add_error("name", _("Name the fee."))
        if value is None:
            self.add_error("value", _("Enter the amount or the share."))
        elif data.get("basis") == "amount" and value != value.quantize(Decimal("0.01")):
            self.add_error("value", _("An amount has at most two decimals."))
        elif data.get("basis") == "rate" and value >= HUNDRED:
            self.add_error("value", _("A share must be below 100%."))
        return data

    def fee(self) -> dict[str, str] | None:
        data = self.cleaned_data
        if data.get("empty"):
            return None
        if data["basis"] == "amount":
            return {"name": data["name"].strip(), "kind": data["kind"], "amount": format(data["value"], ".2f")}
        rate = format((data["value"] / HUNDRED).normalize(), "f")
        return {"name": data["name"].strip(), "kind": data["kind"], "rate": rate}

    @staticmethod
    def initial_for(fee: dict[str, Any]) -> dict[str, Any]:
        if "amount" in fee:
            return {"name": fee.get("name", ""), "kind": fee.get("kind"), "basis": "amount", "value": fee["amount"]}
        return {
            "name": fee.get("name", ""),
            "kind": fee.get("kind"),
            "basis": "rate",
            "value": percent_text(fee.get("rate")),
        }


FeeFormSet = forms.formset_factory(FeeForm, extra=2, max_num=20, validate_max=True)


class VersionedChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} v{obj.version}"


class VersionForm(StyledFormMixin, forms.Form):
    min_amount = forms.DecimalField(label=_("Minimum amount (CNY)"), min_value=0, max_digits=18, decimal_places=2)
    max_amount = forms.DecimalField(label=_("Maximum amount (CNY)"), min_value=0, max_digits=18, decimal_places=2)
    min_term_months = forms.IntegerField(label=_("Minimum term (months)"), min_value=0, max_value=600)
    max_term_months = forms.IntegerField(label=_("Maximum term (months)"), min_value=0, max_value=600)
    methods = forms.MultipleChoiceField(
        label=_("Repayment methods"),
        choices=RepaymentMethod.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    min_rate = forms.DecimalField(label=_("Minimum annual rate (%)"), min_value=0, max_digits=8, decimal_places=4)
    max_rate = forms.DecimalField(label=_("Maximum annual rate (%)"), min_value=0, max_digits=8, decimal_places=4)
    default_rate = forms.DecimalField(label=_("Default annual rate (%)"), min_value=0, max_digits=8, decimal_places=4)
    penalty_multiplier = forms.DecimalField(
        label=_("Penalty multiplier"),
        max_digits=6,
        decimal_places=2,
        min_value=0,
        help_text=_("Penalty rate = contract rate × multiplier (1.5 means +50%)."),
    )
    grace_days = forms.IntegerField(label=_("Grace days"), min_value=0, max_value=365)
    compound = forms.BooleanField(label=_("Compound interest on overdue interest"), required=False)
    day_count = forms.TypedChoiceField(label=_("Day-count basis"), coerce=int, choices=DayCount.choices)
    allocation_order = forms.ChoiceField(
        label=_("Allocation order"), help_text=_("How a payment pays what is owed, first to last.")
    )
    rule_set = VersionedChoice(
        label=_("Rule set"), queryset=RuleSet.objects.none(), required=False, empty_label=_("None")
    )
    scorecard = VersionedChoice(
        label=_("Scorecard"), queryset=Scorecard.objects.none(), required=False, empty_label=_("None")
    )
    auto_approve_score = forms.IntegerField(label=_("Auto-approve from score"), required=False)
    reject_below_score = forms.IntegerField(label=_("Reject below score"), required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    DOC_CHOICES = (("", _("Not needed")), ("required", _("Required")), ("optional", _("Optional")))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["allocation_order"].choices = order_choices()  # type: ignore[attr-defined]
        published_sets = RuleSet.objects.filter(status=RuleSetStatus.PUBLISHED).order_by("name", "-version")
        self.fields["rule_set"].queryset = published_sets  # type: ignore[attr-defined]
        cards = Scorecard.objects.filter(status=ScorecardStatus.PUBLISHED).order_by("name", "-version")
        self.fields["scorecard"].queryset = cards  # type: ignore[attr-defined]
        for doc in DOCUMENT_TYPES:
            field = forms.ChoiceField(label=DOCUMENT_LABELS[doc], choices=self.DOC_CHOICES, required=False)
            field.widget.attrs["class"] = "form-select form-select-sm"
            self.fields[f"doc_{doc}"] = field

    def document_fields(self) -> list[forms.BoundField]:
        return [self[f"doc_{doc}"] for doc in DOCUMENT_TYPES]

    @classmethod
    def initial_for(cls, version: ProductVersion) -> dict[str, Any]:
        initial: dict[str, Any] = {
            name: getattr(version, name)
            for name in (
                "min_amount",
                "max_amount",
                "min_term_months",
                "max_term_months",
                "methods",
                "penalty_multiplier",
                "grace_days",
                "compound",
                "day_count",
                "allocation_order",
                "auto_approve_score",
                "reject_below_score",
                "notes",
            )
        }
        initial.update(
            {name: percent_text(getattr(version, name)) for name in ("min_rate", "max_rate", "default_rate")}
        )
        initial.update(rule_set=version.rule_set_id, scorecard=version.scorecard_id)
        for item in version.documents:
            initial[f"doc_{item['type']}"] = "required" if item["required"] else "optional"
        return initial

    def terms(self, fees: list[dict[str, str]]) -> dict[str, Any]:
        """The cleaned input as ``product_version_save`` keywords (rates back to fractions)."""
        data = dict(self.cleaned_data)
        documents = [
            {"type": doc, "required": data[f"doc_{doc}"] == "required"} for doc in DOCUMENT_TYPES if data[f"doc_{doc}"]
        ]
        for doc in DOCUMENT_TYPES:
            data.pop(f"doc_{doc}")
        for name in ("min_rate", "max_rate", "default_rate"):
            data[name] = (data[name] / HUNDRED).quantize(RATE)
        return {**data, "fees": fees, "documents": documents}


def show_problems(form: forms.Form, problems: dict[str, list[str]], labels: dict[str, str]) -> None:
    """Put service messages on an (also unbound) form: on their field, or on top prefixed with the term's name."""
    if not form.is_bound:
        form.cleaned_data = {}
        form._errors = ErrorDict()  # type: ignore[attr-defined]
    for name, texts in problems.items():
        for text in texts:
            if name in form.fields:
                form.add_error(name, str(text))
                widget = form.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
            else:
                form.add_error(None, f"{labels.get(name, name)}: {text}")
