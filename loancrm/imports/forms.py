from django import forms
from django.utils.translation import gettext_lazy as _

from loancrm.core.forms import StyledFormMixin
from loancrm.leads.models import Channel


class UploadForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label=_("Excel or CSV file"), help_text=_(".xlsx or .csv, at most 20 MB and 100,000 rows"))
    channel = forms.ModelChoiceField(label=_("Channel"), queryset=Channel.objects.order_by("code"))
    campaign = forms.CharField(
        label=_("Campaign"), max_length=80, required=False,
        help_text=_("Used for every row without a campaign column value."),
    )  # fmt: skip
