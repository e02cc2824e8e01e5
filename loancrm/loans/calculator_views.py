"""The staff loan calculator page: the form, then the schedule table and chart (htmx swaps both in place).

Thin: the form only renders the inputs; ``schedule_calculate`` (the API's service) parses and checks them.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from loancrm.core.business_date import current_business_date
from loancrm.core.forms import DateInput, StyledFormMixin, add_domain_error
from loancrm.core.htmx import template_for
from loancrm.core.money import money_str
from loancrm.core.permissions import perm_required
from loancrm.loans.calculator import CalculatorInvalid, RateUnit, schedule_calculate
from loancrm.loans.choices import RepaymentMethod
from loancrm.loans.schedule import Method, Schedule

ZOOM_FROM_PERIODS = 36  # longer schedules get a zoom slider under the chart


def _text(label: Any, *, placeholder: str = "", mode: str = "decimal", help_text: Any = "") -> forms.CharField:
    attrs = {"inputmode": mode, "autocomplete": "off", "placeholder": placeholder}
    return forms.CharField(label=label, required=False, help_text=help_text, widget=forms.TextInput(attrs=attrs))


class CalculatorForm(StyledFormMixin, forms.Form):
    principal = _text(_("Principal (yuan)"), placeholder="100000.00")
    annual_rate = _text(_("Annual rate (%)"), placeholder="6")
    term_months = _text(_("Term (months)"), placeholder="12", mode="numeric")
    method = forms.CharField(
        label=_("Repayment method"), required=False, widget=forms.Select(choices=RepaymentMethod.choices)
    )
    start_date = forms.CharField(label=_("Disbursement date"), required=False, widget=DateInput())
    term_days = _text(
        _("Term (days)"), placeholder="90", mode="numeric", help_text=_("Bullet loans only: instead of the months.")
    )


@perm_required("accounts.view_dashboard")
@require_http_methods(["GET", "POST"])
def calculator(request: HttpRequest) -> HttpResponse:
    initial = {"method": Method.EQUAL_INSTALLMENT.value, "start_date": current_business_date().isoformat()}
    form = CalculatorForm(request.POST or None, initial=initial)
    context: dict[str, Any] = {"form": form, "bullet": Method.BULLET.value}
    status = 200
    if form.is_bound and form.is_valid():
        try:
            schedule = schedule_calculate(**form.cleaned_data, rate_unit=RateUnit.PERCENT)
        except CalculatorInvalid as exc:
            add_domain_error(form, exc)
            status = 422
        else:
            context.update(schedule=schedule, chart=chart_options(schedule))
    template = template_for(request, "loans/calculator.html", "loans/_calculator.html")
    return render(request, template, context, status=status)


def chart_options(schedule: Schedule) -> dict[str, Any]:
    """ECharts options: principal and interest per period as stacked bars (amounts as exact strings)."""
    periods = [str(line.period) for line in schedule.lines]
    series = [
        {"name": gettext("Principal"), "type": "bar", "stack": "payment",
         "data": [money_str(line.principal) for line in schedule.lines]},
        {"name": gettext("Interest"), "type": "bar", "stack": "payment",
         "data": [money_str(line.interest) for line in schedule.lines]},
    ]  # fmt: skip
    options: dict[str, Any] = {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 8, "top": 32, "bottom": 28, "containLabel": True},
        "xAxis": {
            "type": "category",
            "name": gettext("Period"),
            "nameLocation": "middle",
            "nameGap": 28,
            "data": periods,
        },
        "yAxis": {"type": "value"},
        "series": series,
    }
    if len(periods) > ZOOM_FROM_PERIODS:
        options["dataZoom"] = [{"type": "inside"}, {"type": "slider", "bottom": 6, "height": 20}]
        options["grid"]["bottom"] = 64
        options["xAxis"]["nameGap"] = 24
    return options
