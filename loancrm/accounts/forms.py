"""Forms of the accounts pages. They parse and validate input only; services do the writing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from loancrm.accounts.choices import OrgUnitKind, UserKind
from loancrm.accounts.models import OrgUnit, Region, RoleProfile, User
from loancrm.accounts.services import KNOWN_SCOPES
from loancrm.core.forms import StyledFormMixin

PASSWORD_MAX = 128


class LoginForm(StyledFormMixin, forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=PASSWORD_MAX,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


def role_choices() -> list[tuple[str, str]]:
    return [(r.code, r.label) for r in RoleProfile.objects.order_by("order")]


class OrgUnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        depth = obj.path.count("/") - 1
        return f"{'　' * depth}{obj.name}"


class UserFormBase(StyledFormMixin, forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=60)
    email = forms.EmailField(label=_("Email"), required=False)
    employee_no = forms.CharField(label=_("Employee number"), max_length=30, required=False)
    mobile = forms.CharField(label=_("Mobile"), max_length=20, required=False)
    org_unit = OrgUnitChoiceField(
        label=_("Organisation unit"), queryset=OrgUnit.objects.filter(is_active=True), required=False
    )
    roles = forms.MultipleChoiceField(label=_("Roles"), widget=forms.CheckboxSelectMultiple, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["roles"].choices = role_choices()  # type: ignore[attr-defined]


class UserCreateForm(UserFormBase):
    username = forms.CharField(label=_("Username"), max_length=150)
    kind = forms.ChoiceField(label=_("Account type"), choices=UserKind.choices, initial=UserKind.STAFF)
    password = forms.CharField(
        label=_("Initial password"),
        max_length=PASSWORD_MAX,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters; the user must change it at first sign-in."),
    )
    field_order = ["username", "full_name", "kind", "password", "org_unit", "roles", "mobile", "email", "employee_no"]


class UserEditForm(UserFormBase):
    field_order = ["full_name", "org_unit", "roles", "mobile", "email", "employee_no"]


class PasswordResetForm(StyledFormMixin, forms.Form):
    new_password = forms.CharField(
        label=_("Temporary password"),
        max_length=PASSWORD_MAX,
        strip=False,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to generate one."),
    )


class DisableForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class PasswordChangeForm(StyledFormMixin, forms.Form):
    old_password = forms.CharField(
        label=_("Current password"), max_length=PASSWORD_MAX, strip=False, widget=forms.PasswordInput
    )
    new_password = forms.CharField(
        label=_("New password"),
        max_length=PASSWORD_MAX,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password_again = forms.CharField(
        label=_("New password again"), max_length=PASSWORD_MAX, strip=False, widget=forms.PasswordInput
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_password") and data.get("new_password") != data.get("new_password_again"):
            self.add_error("new_password_again", _("The two passwords do not match."))
        return data


class UserFilterForm(StyledFormMixin, forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Username, name or employee number")}),
    )
    role = forms.ChoiceField(label=_("Role"), required=False)
    org_unit = OrgUnitChoiceField(
        label=_("Organisation unit"), queryset=OrgUnit.objects.all(), required=False, empty_label=_("All units")
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), ("active", _("Active")), ("disabled", _("Disabled"))],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", _("All roles")), *role_choices()]  # type: ignore[attr-defined]


class OrgUnitCreateForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    code = forms.CharField(label=_("Code"), max_length=30)
    kind = forms.ChoiceField(label=_("Kind"), choices=OrgUnitKind.choices)
    parent = OrgUnitChoiceField(label=_("Parent unit"), queryset=OrgUnit.objects.filter(is_active=True), required=False)
    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.all(), required=False)


class TokenCreateForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    user = forms.ModelChoiceField(
        label=_("Acts as user"), queryset=User.objects.filter(is_active=True).order_by("username")
    )
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"), widget=forms.CheckboxSelectMultiple, choices=[(s, s) for s in KNOWN_SCOPES]
    )
    expires_at = forms.DateTimeField(
        label=_("Expires at"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )


class CodeForm(StyledFormMixin, forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
        help_text=_("The 6-digit code from your authenticator app, or one of your recovery codes."),
    )
