from django import forms
from django.utils.translation import gettext_lazy as _

from loancrm.core.forms import StyledFormMixin


class UploadForm(StyledFormMixin, forms.Form):
    file = forms.FileField(
        label=_("Excel or CSV file"), help_text=_(".xlsx or .csv, at most 20 MB and 20,000 loans, one loan per row")
    )
