"""Forms of the payment pages: channels and posting requests. Parsing only; the services decide."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from loancrm.core.forms import DateInput, StyledFormMixin
from loancrm.core.money import format_money
from loancrm.loans.channels import SECRET_MAX_LENGTH, SECRET_MIN_LENGTH
from loancrm.loans.choices import PostingKind, PrepaymentKeep
from loancrm.loans.models import PaymentChannel


def _secret_field(label: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        min_length=SECRET_MIN_LENGTH,
        max_length=SECRET_MAX_LENGTH,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("At least %(n)d characters, agreed with the channel; it is never shown again.")
        % {"n": SECRET_MIN_LENGTH},
    )


class ChannelCreateForm(StyledFormMixin, forms.Form):
    code = forms.CharField(label=_("Code"), max_length=30, help_text=_("Used in the notification address."))
    name = forms.CharField(label=_("Name"), max_length=80)
    secret = _secret_field(_("Signing secret"))
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class ChannelEditForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    is_active = forms.BooleanField(label=_("Active"), required=False)


class ChannelRotateForm(StyledFormMixin, forms.Form):
    secret = _secret_field(_("New signing secret"))


class _MoneyRequestForm(StyledFormMixin, forms.Form):
    amount = forms.DecimalField(label=_("Amount"), max_digits=18, decimal_places=2, min_value=Decimal("0.01"))
    value_date = forms.DateField(label=_("Value date"), widget=DateInput())
    channel = forms.ModelChoiceField(
        label=_("Received through"),
        queryset=PaymentChannel.objects.none(),
        required=False,
        empty_label=_("Cash / suspense account"),
    )
    reference = forms.CharField(label=_("Reference"), max_length=80, required=False)
    reason = forms.CharField(label=_("Reason"), max_length=200, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["channel"].queryset = PaymentChannel.objects.filter(is_active=True).order_by("code")  # type: ignore[attr-defined]

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        channel = data.get("channel")
        return {
            "amount": data.get("amount"),
            "value_date": data["value_date"],
            "channel_id": channel.pk if channel else None,
            "reference": data.get("reference", ""),
            "reason": data["reason"],
        }


class PaymentRequestForm(_MoneyRequestForm):
    pass


class PrepaymentRequestForm(_MoneyRequestForm):
    keep = forms.ChoiceField(
        label=_("The prepayment keeps"), choices=PrepaymentKeep.choices, initial=PrepaymentKeep.TERM,
        widget=forms.RadioSelect,
    )  # fmt: skip
    use_advance = forms.BooleanField(label=_("Also use the advance the loan holds"), required=False)

    field_order = ["amount", "keep", "use_advance", "value_date", "channel", "reference", "reason"]

    def service_data(self) -> dict[str, Any]:
        return {**super().service_data(), "keep": self.cleaned_data["keep"],
                "use_advance": self.cleaned_data.get("use_advance", False)}  # fmt: skip


class PayoffRequestForm(_MoneyRequestForm):
    field_order = ["value_date", "amount", "channel", "reference", "reason"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["amount"].required = False
        self.fields["amount"].help_text = _("Defaults to the payoff quote's total on the value date.")


class ReversalRequestForm(StyledFormMixin, forms.Form):
    transaction = forms.TypedChoiceField(label=_("Transaction to reverse"), coerce=int)
    reason = forms.CharField(label=_("Reason"), max_length=200, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, transactions: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["transaction"].choices = [  # type: ignore[attr-defined]
            (txn.pk, f"#{txn.pk} {txn.get_kind_display()} {format_money(txn.amount)} ({txn.value_date:%Y-%m-%d})")
            for txn in transactions
        ]

    def service_data(self) -> dict[str, Any]:
        return {"transaction_id": self.cleaned_data["transaction"], "reason": self.cleaned_data["reason"]}


REQUEST_FORMS: dict[str, type[forms.Form]] = {
    PostingKind.PAYMENT: PaymentRequestForm,
    PostingKind.PREPAYMENT: PrepaymentRequestForm,
    PostingKind.PAYOFF: PayoffRequestForm,
    PostingKind.REVERSAL: ReversalRequestForm,
}


class ApproveForm(StyledFormMixin, forms.Form):
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class RejectForm(StyledFormMixin, forms.Form):
    note = forms.CharField(label=_("Why it is rejected"), max_length=200)
