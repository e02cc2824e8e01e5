"""Forms of the contract pages (the services validate again; forms only shape the input)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class GuarantorForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    id_number = forms.CharField(label=_("ID number"), max_length=18)
    mobile = forms.CharField(label=_("Mobile"), max_length=20)


class TemplateForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    body = forms.CharField(label=_("HTML body (Django template)"), widget=forms.Textarea(attrs={"rows": 28}))
    note = forms.CharField(label=_("Change note"), max_length=200, required=False)


class SignForm(forms.Form):
    read = forms.BooleanField(label=_("I have read and agree to the whole contract"), required=False)
    code = forms.CharField(label=_("SMS verification code"), max_length=6, required=False)
