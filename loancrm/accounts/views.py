"""Accounts pages: sign-in/out, own password, and the administrator's users, roles, org and token pages."""

from __future__ import annotations

import base64
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from loancrm.accounts import forms, selectors, services, two_factor
from loancrm.accounts.models import User
from loancrm.core.errors import DomainError
from loancrm.core.forms import add_domain_error
from loancrm.core.listing import paginate
from loancrm.core.permissions import perm_required


def _actor(request: HttpRequest) -> User:
    """The signed-in user (views that call this are behind login or permission decorators)."""
    return cast(User, request.user)


def _safe_next(request: HttpRequest) -> str | None:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return None


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and request.method == "GET":
        return redirect("core:home")
    form = forms.LoginForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                _user, needs_code = services.login_attempt(
                    request=request, username=form.cleaned_data["username"], password=form.cleaned_data["password"]
                )
            except DomainError as exc:
                form.add_error(None, str(exc.message))
                status = exc.status
            else:
                if needs_code:
                    request.session["_loancrm_next"] = _safe_next(request) or ""
                    return redirect("accounts:two_factor_verify")
                return redirect(_safe_next(request) or "core:home")
        else:
            status = 400
    return render(request, "accounts/login.html", {"form": form, "next": _safe_next(request) or ""}, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    services.logout_user(request=request)
    messages.success(request, _("You have signed out."))
    return redirect("accounts:login")


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    context = {"profile_user": request.user, "has_device": two_factor.has_device(request.user)}
    return render(request, "accounts/profile.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    form = forms.PasswordChangeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.password_change(
                    request=request,
                    old_password=form.cleaned_data["old_password"],
                    new_password=form.cleaned_data["new_password"],
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("Your password has been changed."))
                return redirect("core:home")
        status = 400
    return render(request, "accounts/password_change.html", {"form": form}, status=status)


# --- administration ------------------------------------------------------------------------------------


@perm_required("accounts.view_user")
def user_list(request: HttpRequest) -> HttpResponse:
    filters = forms.UserFilterForm(request.GET or None)
    qs = selectors.users_visible_to(request.user)
    if filters.is_valid():
        qs = selectors.filter_users(qs, **{k: v for k, v in filters.cleaned_data.items() if v})
    listing = paginate(
        request,
        qs.prefetch_related("groups__role"),
        sorts={
            "username": "username",
            "full_name": "full_name",
            "org_unit": "org_unit__path",
            "last_login": "last_login",
            "joined": "date_joined",
        },
        default_sort="username",
    )
    return render(
        request, "accounts/user_list.html", {"filters": filters, "listing": listing, "page_obj": listing.page_obj}
    )


@perm_required("accounts.manage_users")
@require_http_methods(["GET", "POST"])
def user_create(request: HttpRequest) -> HttpResponse:
    form = forms.UserCreateForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                user = services.user_create(
                    actor=_actor(request),
                    username=data["username"],
                    full_name=data["full_name"],
                    password=data["password"],
                    roles=data["roles"],
                    org_unit=data["org_unit"],
                    email=data["email"],
                    employee_no=data["employee_no"],
                    kind=data["kind"],
                    mobile=data["mobile"],
                    request=request,
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("User %(name)s was created.") % {"name": user.username})
                return redirect("accounts:user_detail", pk=user.pk)
        status = 400
    return render(request, "accounts/user_form.html", {"form": form, "creating": True}, status=status)


@perm_required("accounts.view_user")
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = selectors.access_user(request.user, pk)
    from loancrm.core.models import AuditEvent

    history = AuditEvent.objects.filter(target_type="accounts.user", target_id=str(user.pk)).order_by("-id")[:20]
    return render(
        request,
        "accounts/user_detail.html",
        {
            "subject": user,
            "history": history,
            "sessions": user.sessions.order_by("-created_at")[:10],
            "disable_form": forms.DisableForm(),
            "reset_form": forms.PasswordResetForm(),
        },
    )


@perm_required("accounts.manage_users")
@require_http_methods(["GET", "POST"])
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = selectors.access_user(request.user, pk)
    initial = {
        "full_name": user.full_name,
        "email": user.email,
        "employee_no": user.employee_no,
        "mobile": user.mobile,
        "org_unit": user.org_unit,
        "roles": [p.code for p in user.role_profiles()],
    }
    form = forms.UserEditForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.user_update(actor=_actor(request), user_id=user.pk, request=request, **form.cleaned_data)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("Changes saved."))
                return redirect("accounts:user_detail", pk=user.pk)
        status = 400
    return render(request, "accounts/user_form.html", {"form": form, "subject": user}, status=status)


def _user_action(request: HttpRequest, pk: int, action: Any, success: str, **kwargs: Any) -> HttpResponse:
    user = selectors.access_user(request.user, pk)
    try:
        result = action(actor=_actor(request), user_id=user.pk, request=request, **kwargs)
    except DomainError as exc:
        messages.error(request, exc.summary())
        return redirect("accounts:user_detail", pk=user.pk)
    messages.success(request, success)
    return result if isinstance(result, HttpResponse) else redirect("accounts:user_detail", pk=user.pk)


@perm_required("accounts.manage_users")
@require_POST
def user_disable(request: HttpRequest, pk: int) -> HttpResponse:
    form = forms.DisableForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason for disabling the user."))
        return redirect("accounts:user_detail", pk=pk)
    return _user_action(
        request,
        pk,
        services.user_disable,
        _("User disabled; their sessions have ended."),
        reason=form.cleaned_data["reason"],
    )


@perm_required("accounts.manage_users")
@require_POST
def user_enable(request: HttpRequest, pk: int) -> HttpResponse:
    return _user_action(request, pk, services.user_enable, _("User enabled."))


@perm_required("accounts.manage_users")
@require_POST
def user_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    return _user_action(request, pk, services.user_unlock, _("Sign-in lockout cleared."))


@perm_required("accounts.manage_users")
@require_POST
def user_reset_password(request: HttpRequest, pk: int) -> HttpResponse:
    user = selectors.access_user(request.user, pk)
    form = forms.PasswordResetForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a valid value."))
        return redirect("accounts:user_detail", pk=pk)
    try:
        _user, password = services.user_reset_password(
            actor=_actor(request),
            user_id=user.pk,
            new_password=form.cleaned_data["new_password"] or None,
            request=request,
        )
    except DomainError as exc:
        messages.error(request, exc.summary())
        return redirect("accounts:user_detail", pk=pk)
    response = render(request, "accounts/password_reset_done.html", {"subject": user, "temporary_password": password})
    response["Cache-Control"] = "no-store"
    return response


@perm_required("accounts.manage_users")
def role_list(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/role_list.html", {"roles": selectors.roles_with_counts()})


@perm_required("accounts.manage_users")
@require_http_methods(["GET", "POST"])
def org_list(request: HttpRequest) -> HttpResponse:
    can_manage = request.user.has_perm("accounts.manage_org")
    form = forms.OrgUnitCreateForm(request.POST or None) if can_manage else None
    status = 200
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                unit = services.org_unit_create(actor=_actor(request), request=request, **form.cleaned_data)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("Unit %(name)s was created.") % {"name": unit.name})
                return redirect("accounts:org")
        status = 400
    return render(request, "accounts/org_list.html", {"units": selectors.org_tree(), "form": form}, status=status)


@perm_required("accounts.manage_tokens")
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    form = forms.TokenCreateForm(request.POST or None)
    secret = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                token, secret = services.api_token_create(
                    actor=_actor(request),
                    user_id=data["user"].pk,
                    name=data["name"],
                    scopes=data["scopes"],
                    expires_at=data["expires_at"],
                    request=request,
                )
            except DomainError as exc:
                add_domain_error(form, exc)
                status = 400
            else:
                messages.success(
                    request,
                    _("Token %(name)s created. Copy it now: it will not be shown again.") % {"name": token.name},
                )
                form = forms.TokenCreateForm()
        else:
            status = 400
    listing = paginate(
        request,
        selectors.tokens_visible_to(request.user),
        sorts={"name": "name", "created": "created_at", "last_used": "last_used_at", "user": "user__username"},
        default_sort="-created",
    )
    response = render(
        request,
        "accounts/token_list.html",
        {"form": form, "secret": secret, "listing": listing, "page_obj": listing.page_obj},
        status=status,
    )
    response["Cache-Control"] = "no-store"
    return response


@perm_required("accounts.manage_tokens")
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.api_token_revoke(actor=_actor(request), token_id=pk, request=request)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Token revoked."))
    return redirect("accounts:tokens")


# --- two-factor sign-in --------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """Second step of signing in: a code from the authenticator app, or a recovery code."""
    if two_factor.pending_user(request) is None:
        messages.info(request, _("Sign in with your password first."))
        return redirect("accounts:login")
    form = forms.CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.second_factor_attempt(request=request, code=form.cleaned_data["code"])
        except DomainError as exc:
            form.add_error(None, str(exc.message))
            status = exc.status
            if exc.code in ("login_expired", "account_locked"):
                messages.error(request, str(exc.message))
                return redirect("accounts:login")
        else:
            return redirect(request.session.pop("_loancrm_next", "") or "core:home")
    elif request.method == "POST":
        status = 400
    return render(request, "accounts/two_factor_verify.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: scan the QR code, confirm with a code, keep the recovery codes."""
    user = _actor(request)
    if two_factor.has_device(user):
        return redirect("accounts:profile")
    device = two_factor.enrolment_device(user)
    form = forms.CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                codes = two_factor.enrol_confirm(user=user, code=form.cleaned_data["code"], request=request)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                response = render(request, "accounts/recovery_codes.html", {"codes": codes})
                response["Cache-Control"] = "no-store"
                return response
        status = 400
    secret = base64.b32encode(device.bin_key).decode()
    context = {
        "form": form,
        "qr": two_factor.qr_svg(device.config_url),
        "secret": secret,
        "required": two_factor.must_enrol(user),
    }
    response = render(request, "accounts/two_factor_setup.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def recovery_codes(request: HttpRequest) -> HttpResponse:
    try:
        codes = two_factor.recovery_codes_regenerate(user=_actor(request), request=request)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("accounts:profile")
    response = render(request, "accounts/recovery_codes.html", {"codes": codes})
    response["Cache-Control"] = "no-store"
    return response


@perm_required("accounts.manage_users")
@require_POST
def user_reset_2fa(request: HttpRequest, pk: int) -> HttpResponse:
    return _user_action(request, pk, two_factor.two_factor_reset, _("Two-factor sign-in reset; the user enrols again."))


@perm_required("accounts.manage_users")
@require_POST
def role_two_factor(request: HttpRequest, code: str) -> HttpResponse:
    try:
        services.role_set_two_factor(
            actor=_actor(request), code=code, required=request.POST.get("required") == "1", request=request
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Changes saved."))
    return redirect("accounts:roles")
