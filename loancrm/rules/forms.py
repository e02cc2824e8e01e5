"""Rule editor forms: a new rule set, one rule, and the test panel's application context (one field per name)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from loancrm.core.forms import StyledFormMixin
from loancrm.rules.context import FIELDS, Field
from loancrm.rules.models import RuleAction, RuleSetStatus


def field_description(field: Field) -> str:
    """The documented meaning of a context field in the active language."""
    return field.zh if (get_language() or "zh-hans").startswith("zh") else field.en


def type_name(field: Field) -> str:
    """The CEL type a rule sees (money and ratios are doubles)."""
    return {bool: "bool", int: "int", float: "double", str: "string"}[field.type]


class RuleSetFilterForm(forms.Form):
    q = forms.CharField(required=False)
    status = forms.ChoiceField(required=False, choices=[("", _("All statuses")), *RuleSetStatus.choices])


class RuleSetForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("A new name starts at version 1."))
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RuleForm(StyledFormMixin, forms.Form):
    code = forms.CharField(label=_("Rule code"), max_length=50)
    action = forms.ChoiceField(label=_("Action"), choices=RuleAction.choices)
    reason_code = forms.CharField(label=_("Reason code"), max_length=50)
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    expression = forms.CharField(
        label=_("Expression (CEL)"),
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control font-monospace", "spellcheck": "false"}),
        help_text=_("True means the rule matches, e.g. debt_to_income > 0.6 && inquiries_3m >= 6"),
    )


class ContextForm(StyledFormMixin, forms.Form):
    """The 17 context names, typed like the engine wants them; ``context()`` is the mapping to evaluate."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in FIELDS:
            self.fields[field.name] = self._form_field(field)
        for name, form_field in self.fields.items():
            boolean = isinstance(form_field, forms.BooleanField)
            form_field.widget.attrs["class"] = "form-check-input" if boolean else "form-control form-control-sm"
            form_field.widget.attrs["data-field"] = name

    @staticmethod
    def _form_field(field: Field) -> forms.Field:
        label, help_text = field.name, field_description(field)
        if field.type is bool:
            return forms.BooleanField(label=label, help_text=help_text, required=False)
        if field.type is int:
            return forms.IntegerField(label=label, help_text=help_text)
        if field.type is float:
            return forms.FloatField(label=label, help_text=help_text)
        return forms.CharField(label=label, help_text=help_text, max_length=40)

    def context(self) -> dict[str, Any]:
        return {field.name: self.cleaned_data[field.name] for field in FIELDS}
