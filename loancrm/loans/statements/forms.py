from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from loancrm.core.forms import StyledFormMixin
from loancrm.loans.models import PaymentChannel
from loancrm.loans.statements.selectors import usable_channels


class StatementUploadForm(StyledFormMixin, forms.Form):
    channel = forms.ModelChoiceField(label=_("Payment channel"), queryset=PaymentChannel.objects.none())
    file = forms.FileField(label=_("Statement file"), help_text=_(".xlsx or .csv, at most 30 MB and 200,000 lines"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        channel = self.fields["channel"]
        assert isinstance(channel, forms.ModelChoiceField)
        channel.queryset = usable_channels().order_by("code")
        channel.label_from_instance = lambda c: f"{c.name} ({c.code})"  # type: ignore[method-assign,assignment]
