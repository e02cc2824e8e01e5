"""The routing rules admin page (supervisors, administrators): the rules in the order they are tried, the teams, and
the form to add or change a rule (saved through ``routing_rule_save``, audited)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _

from loancrm.core.audit import audit_event
from loancrm.decisioning.risk import LEVELS
from loancrm.products.models import Product
from loancrm.underwriting.models import ReviewTeam, RoutingRule

RISK_LABELS = {"low": _("Low"), "medium": _("Medium"), "high": _("High")}


class RuleForm(forms.ModelForm):
    product_codes = forms.MultipleChoiceField(label=_("Products"), required=False, choices=())
    risk_levels = forms.MultipleChoiceField(
        label=_("Risk levels"), required=False, choices=[(level, RISK_LABELS[level]) for level in LEVELS],
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip

    class Meta:
        model = RoutingRule
        fields = ["name", "priority", "active", "is_default", "min_amount", "max_amount", "product_codes",
                  "risk_levels", "org_unit", "team"]  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["product_codes"].choices = [(p.code, f"{p.name} ({p.code})") for p in Product.objects.order_by("code")]
        fields["team"].queryset = ReviewTeam.objects.filter(active=True)
        for name, field in self.fields.items():
            if name not in ("active", "is_default", "risk_levels"):
                field.widget.attrs.setdefault("class", "form-select" if name in ("org_unit", "team", "product_codes")
                                              else "form-control")  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("min_amount"), data.get("max_amount")
        if low is not None and high is not None and high < low:
            self.add_error("max_amount", _("The upper bound is below the lower one."))
        return data


def rule_or_404(pk: int | None) -> RoutingRule | None:
    if pk is None:
        return None
    rule = RoutingRule.objects.filter(pk=pk).first()
    if rule is None:
        raise Http404
    return rule


@transaction.atomic
def routing_rule_save(*, actor: Any, form: RuleForm, request: HttpRequest | None = None) -> RoutingRule:
    created = form.instance.pk is None
    rule: RoutingRule = form.save()
    audit_event(
        actor, "routing_rule.saved", rule,
        {"created": created, "changed": sorted(form.changed_data), "team": rule.team_id, "priority": rule.priority},
        request,
    )  # fmt: skip
    return rule


def rules_page() -> dict[str, Any]:
    from loancrm.underwriting.services import team_members

    rules = list(RoutingRule.objects.select_related("team", "org_unit"))
    teams = [
        {"team": team, "members": list(team_members(team))} for team in ReviewTeam.objects.select_related("org_unit")
    ]
    return {"rules": rules, "teams": teams, "risk_labels": RISK_LABELS}
