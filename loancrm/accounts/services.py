"""Every write of the accounts app: sign-in, users, roles, org units and API tokens.

Invariants: each service runs in one transaction and writes its audit event in it; a refused action
(raised DomainError) leaves nothing behind; disabling a user deletes all of their sessions in the same
transaction, so their next request is anonymous.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from typing import Any, cast

from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loancrm.accounts.choices import OrgUnitKind, UserKind
from loancrm.accounts.models import ApiToken, LoginThrottle, OrgUnit, RoleProfile, User, UserSession
from loancrm.accounts.tokens import new_token_secret, token_digest
from loancrm.core.audit import audit_event, client_ip
from loancrm.core.china_ids import InvalidMobile, normalize_mobile
from loancrm.core.errors import Conflict, DomainError, NotFound, PermissionDenied, RateLimited, ValidationFailed
from loancrm.core.fields import blind_lookup
from loancrm.core.masking import mask_mobile


class LoginFailed(DomainError):
    code = "login_failed"
    status = 400
    default_message = _("Incorrect username or password.")


class AccountLocked(DomainError):
    code = "account_locked"
    status = 429
    default_message = _("Too many failed sign-ins. Try again in %(minutes)d minutes.")


# --- sign-in -------------------------------------------------------------------------------------------


def _throttle_key(username: str) -> str:
    return username.strip().lower()[:150]


def _ip_key(request: HttpRequest) -> str:
    return f"login-fail-ip:{client_ip(request) or 'unknown'}"


def login_attempt(*, request: HttpRequest, username: str, password: str) -> tuple[User, bool]:
    """Check the password; sign the user in, or (``True``) wait for their second factor. Raises
    LoginFailed / AccountLocked / RateLimited.

    Failures are counted per username (existing or not, so the answer reveals nothing) and per IP; after
    LOGIN_MAX_FAILURES failures inside the lockout window the username is locked for that window.
    """
    now = timezone.now()
    window = dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    if cache.get(_ip_key(request), 0) >= settings.LOGIN_IP_MAX_FAILURES:
        _record_failure_audit(request, username, "ip_throttled")
        raise RateLimited()
    key = _throttle_key(username)
    with transaction.atomic():
        locked_until = _lock_throttle(key, now).locked_until
    if locked_until and locked_until > now:
        minutes = max(1, int((locked_until - now).total_seconds() // 60) + 1)
        _record_failure_audit(request, username, "locked")
        raise AccountLocked(AccountLocked.default_message % {"minutes": minutes})
    user = cast("User | None", authenticate(request, username=username, password=password))
    if user is None:
        with transaction.atomic():
            throttle = _lock_throttle(key, now)
            if now - throttle.window_started_at > window:
                throttle.failures, throttle.window_started_at = 0, now
            throttle.failures += 1
            if throttle.failures >= settings.LOGIN_MAX_FAILURES:
                throttle.locked_until = now + window
            throttle.save()
            _record_failure_audit(request, username, "bad_credentials", failures=throttle.failures)
        try:
            cache.incr(_ip_key(request))
        except ValueError:
            cache.set(_ip_key(request), 1, timeout=int(window.total_seconds()))
        raise LoginFailed()
    from loancrm.accounts import two_factor

    if two_factor.has_device(user):
        two_factor.start_pending(request, user)
        return user, True
    complete_login(request=request, user=user, method="password")
    return user, False


def complete_login(*, request: HttpRequest, user: User, method: str) -> None:
    """Create the session (new id), record it, clear the lockout and audit the sign-in."""
    from loancrm.accounts import two_factor
    from loancrm.accounts.middleware import LAST_SEEN, LOGIN_AT

    with transaction.atomic():
        LoginThrottle.objects.filter(username=_throttle_key(user.username)).delete()
        request.session.pop(two_factor.PENDING, None)
        login(request, user, backend="loancrm.accounts.backends.LockoutModelBackend")
        stamp = int(timezone.now().timestamp())
        request.session[LOGIN_AT] = stamp
        request.session[LAST_SEEN] = stamp
        if method != "password":
            request.session[two_factor.VERIFIED] = True
        request.session.save()
        UserSession.objects.create(
            user=user,
            session_key=request.session.session_key or "",
            ip=client_ip(request),
            user_agent=request.headers.get("User-Agent", "")[:300],
        )
        audit_event(user, "auth.login", user, {"method": method}, request)


def second_factor_attempt(*, request: HttpRequest, code: str) -> User:
    """Finish a sign-in with an authenticator code or a recovery code; failures count toward the lockout."""
    from loancrm.accounts import two_factor

    user = two_factor.pending_user(request)
    if user is None:
        raise LoginFailed(_("Your sign-in expired. Enter your password again."), code="login_expired")
    key, now = _throttle_key(user.username), timezone.now()
    with transaction.atomic():
        locked_until = _lock_throttle(key, now).locked_until
    if locked_until and locked_until > now:
        request.session.pop(two_factor.PENDING, None)
        raise AccountLocked(AccountLocked.default_message % {"minutes": settings.LOGIN_LOCKOUT_MINUTES})
    method = two_factor.verify_code(user, code)
    if method is None:
        with transaction.atomic():
            throttle = _lock_throttle(key, now)
            throttle.failures += 1
            if throttle.failures >= settings.LOGIN_MAX_FAILURES:
                throttle.locked_until = now + dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
            throttle.save()
            audit_event(user.username, "auth.2fa_failed", user, {"failures": throttle.failures}, request)
        raise LoginFailed(_("The code is not valid."), code="code_invalid")
    complete_login(request=request, user=user, method=method)
    return user


def _lock_throttle(key: str, now: dt.datetime) -> LoginThrottle:
    try:
        with transaction.atomic():
            LoginThrottle.objects.get_or_create(username=key, defaults={"window_started_at": now})
    except IntegrityError:
        pass
    return LoginThrottle.objects.select_for_update().get(username=key)


def _record_failure_audit(request: HttpRequest, username: str, reason: str, **extra: Any) -> None:
    with transaction.atomic():
        audit_event(username[:150] or "anonymous", "auth.login_failed", None, {"reason": reason, **extra}, request)


def logout_user(*, request: HttpRequest) -> None:
    """Sign out, delete the session and record it."""
    user = request.user
    with transaction.atomic():
        if user.is_authenticated:
            UserSession.objects.filter(session_key=request.session.session_key).delete()
            audit_event(user, "auth.logout", user, {}, request)
        logout(request)


def end_sessions(user: User) -> int:
    """Delete every session of ``user``; their next request is anonymous. Returns sessions ended."""
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    UserSession.objects.filter(user=user).delete()
    return len(keys)


# --- users ---------------------------------------------------------------------------------------------


def _require(actor: User, perm: str) -> None:
    if not actor.has_perm(perm):
        raise PermissionDenied()


def _check_password(password: str, user: User | None, field: str = "password") -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationFailed(fields={field: list(exc.messages)}) from exc


def _roles(codes: Iterable[str]) -> list[RoleProfile]:
    codes = list(dict.fromkeys(codes))
    roles = list(RoleProfile.objects.filter(code__in=codes).select_related("group"))
    if len(roles) != len(codes):
        raise ValidationFailed(fields={"roles": [_("Unknown role.")]})
    return roles


def _clean_mobile(mobile: str, *, exclude: int | None = None) -> str:
    """Normalise a staff mobile; refuse an invalid one or one another user already has."""
    mobile = (mobile or "").strip()
    if not mobile:
        return ""
    try:
        normalised = normalize_mobile(mobile)
    except InvalidMobile as exc:
        raise ValidationFailed(fields={"mobile": [_("Enter a mainland mobile number.")]}) from exc
    taken = User.objects.filter(blind_lookup(User, "mobile", normalised))
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise ValidationFailed(fields={"mobile": [_("Another user has this mobile number.")]})
    return normalised


def _snapshot(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "mobile": mask_mobile(user.mobile),
        "full_name": user.full_name,
        "email": user.email,
        "employee_no": user.employee_no,
        "org_unit": user.org_unit.code if user.org_unit else None,
        "roles": sorted(RoleProfile.objects.filter(group__user=user).values_list("code", flat=True)),
        "is_active": user.is_active,
    }


@transaction.atomic
def user_create(
    *,
    actor: User,
    username: str,
    full_name: str,
    password: str,
    roles: Iterable[str] = (),
    org_unit: OrgUnit | None = None,
    email: str = "",
    employee_no: str = "",
    kind: str = UserKind.STAFF,
    mobile: str = "",
    must_change_password: bool = True,
    request: HttpRequest | None = None,
) -> User:
    """Create a user with roles and org unit; the password must pass the password rules."""
    _require(actor, "accounts.manage_users")
    username = username.strip()
    if not username:
        raise ValidationFailed(fields={"username": [_("This field is required.")]})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationFailed(fields={"username": [_("A user with that username already exists.")]})
    if kind not in UserKind.values:
        raise ValidationFailed(fields={"kind": [_("Choose one of the allowed values.")]})
    candidate = User(username=username, full_name=full_name.strip(), email=email.strip())
    _check_password(password, candidate)
    role_profiles = _roles(roles)
    mobile = _clean_mobile(mobile)
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                username,
                password,
                full_name=full_name.strip(),
                email=email.strip(),
                employee_no=employee_no.strip(),
                kind=kind,
                org_unit=org_unit,
                mobile=mobile,
                must_change_password=must_change_password,
            )
    except IntegrityError as exc:
        raise ValidationFailed(fields={"username": [_("The username or mobile is already taken.")]}) from exc
    user.groups.set([r.group for r in role_profiles])
    audit_event(actor, "user.created", user, {"after": _snapshot(user)}, request)
    return user


def _locked_user(user_id: int) -> User:
    try:
        return User.objects.select_for_update().get(pk=user_id)
    except User.DoesNotExist as exc:
        raise NotFound() from exc


@transaction.atomic
def user_update(
    *,
    actor: User,
    user_id: int,
    full_name: str,
    email: str = "",
    employee_no: str = "",
    roles: Iterable[str] = (),
    org_unit: OrgUnit | None = None,
    mobile: str = "",
    request: HttpRequest | None = None,
) -> User:
    """Change a user's name, contact, roles and org unit. An administrator cannot remove their own admin role."""
    _require(actor, "accounts.manage_users")
    user = _locked_user(user_id)
    before = _snapshot(user)
    role_profiles = _roles(roles)
    if (
        user.pk == actor.pk
        and "administrator" in before["roles"]
        and "administrator" not in [r.code for r in role_profiles]
    ):
        raise ValidationFailed(fields={"roles": [_("You cannot remove your own administrator role.")]})
    user.full_name, user.email, user.employee_no, user.org_unit = (
        full_name.strip(),
        email.strip(),
        employee_no.strip(),
        org_unit,
    )
    user.mobile = _clean_mobile(mobile, exclude=user.pk)
    user.save(update_fields=["full_name", "email", "employee_no", "org_unit", "mobile", "mobile_bidx"])
    user.groups.set([r.group for r in role_profiles])
    after = _snapshot(user)
    if after != before:
        audit_event(actor, "user.updated", user, {"before": before, "after": after}, request)
    return user


@transaction.atomic
def user_disable(*, actor: User, user_id: int, reason: str = "", request: HttpRequest | None = None) -> User:
    """Disable a user and end all their sessions at once. One cannot disable oneself."""
    _require(actor, "accounts.manage_users")
    user = _locked_user(user_id)
    if user.pk == actor.pk:
        raise Conflict(_("You cannot disable your own account."))
    if not user.is_active:
        raise Conflict(_("The user is already disabled."))
    user.is_active = False
    user.deactivated_at = timezone.now()
    user.save(update_fields=["is_active", "deactivated_at"])
    ended = end_sessions(user)
    tokens = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    audit_event(
        actor, "user.disabled", user, {"reason": reason, "sessions_ended": ended, "tokens_revoked": tokens}, request
    )
    return user


@transaction.atomic
def user_enable(*, actor: User, user_id: int, request: HttpRequest | None = None) -> User:
    """Re-enable a disabled user (their old sessions and tokens stay ended)."""
    _require(actor, "accounts.manage_users")
    user = _locked_user(user_id)
    if user.is_active:
        raise Conflict(_("The user is already active."))
    user.is_active = True
    user.deactivated_at = None
    user.save(update_fields=["is_active", "deactivated_at"])
    audit_event(actor, "user.enabled", user, {}, request)
    return user


@transaction.atomic
def user_reset_password(
    *, actor: User, user_id: int, new_password: str | None = None, request: HttpRequest | None = None
) -> tuple[User, str]:
    """Set a temporary password (generated when not given) the user must change at next sign-in.

    Ends the user's sessions and clears any sign-in lockout. Returns the user and the temporary password.
    """
    _require(actor, "accounts.manage_users")
    user = _locked_user(user_id)
    password = new_password or _temporary_password()
    _check_password(password, user, "new_password")
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    end_sessions(user)
    LoginThrottle.objects.filter(username=_throttle_key(user.username)).delete()
    audit_event(actor, "user.password_reset", user, {"generated": new_password is None}, request)
    return user, password


def _temporary_password() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(4))


@transaction.atomic
def user_unlock(*, actor: User, user_id: int, request: HttpRequest | None = None) -> None:
    """Clear the sign-in lockout of a user."""
    _require(actor, "accounts.manage_users")
    user = _locked_user(user_id)
    deleted, _unused = LoginThrottle.objects.filter(username=_throttle_key(user.username)).delete()
    audit_event(actor, "user.unlocked", user, {"cleared": bool(deleted)}, request)


@transaction.atomic
def password_change(*, request: HttpRequest, old_password: str, new_password: str) -> User:
    """The signed-in user changes their own password; the session survives, others end."""
    from django.contrib.auth import update_session_auth_hash

    user = User.objects.select_for_update().get(pk=cast(User, request.user).pk)
    if not user.check_password(old_password):
        raise ValidationFailed(fields={"old_password": [_("Your current password is incorrect.")]})
    if old_password == new_password:
        raise ValidationFailed(fields={"new_password": [_("The new password must differ from the current one.")]})
    _check_password(new_password, user, "new_password")
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    current = request.session.session_key
    others = UserSession.objects.filter(user=user).exclude(session_key=current)
    Session.objects.filter(session_key__in=list(others.values_list("session_key", flat=True))).delete()
    others.delete()
    update_session_auth_hash(request, user)
    UserSession.objects.filter(user=user, session_key=current).update(session_key=request.session.session_key)
    audit_event(user, "user.password_changed", user, {}, request)
    return user


# --- org units -----------------------------------------------------------------------------------------

ALLOWED_PARENT = {
    OrgUnitKind.COMPANY: None,
    OrgUnitKind.BRANCH: OrgUnitKind.COMPANY,
    OrgUnitKind.TEAM: OrgUnitKind.BRANCH,
}


@transaction.atomic
def org_unit_create(
    *,
    actor: User | None,
    name: str,
    code: str,
    kind: str,
    parent: OrgUnit | None = None,
    region: Any = None,
    request: HttpRequest | None = None,
) -> OrgUnit:
    """Create a company, branch (under a company) or team (under a branch); maintains ``path``."""
    if actor is not None:
        _require(actor, "accounts.manage_org")
    if kind not in OrgUnitKind.values:
        raise ValidationFailed(fields={"kind": [_("Choose one of the allowed values.")]})
    expected_parent = ALLOWED_PARENT[OrgUnitKind(kind)]
    if (parent.kind if parent else None) != expected_parent:
        raise ValidationFailed(fields={"parent": [_("This kind of unit cannot be placed there.")]})
    if OrgUnit.objects.filter(code=code.strip()).exists():
        raise ValidationFailed(fields={"code": [_("This code is already used.")]})
    unit = OrgUnit.objects.create(name=name.strip(), code=code.strip(), kind=kind, parent=parent, region=region)
    unit.path = f"{parent.path if parent else ''}{unit.pk}/"
    unit.save(update_fields=["path"])
    audit_event(actor, "org_unit.created", unit, {"kind": kind, "parent": parent.code if parent else None}, request)
    return unit


# --- API tokens ----------------------------------------------------------------------------------------

KNOWN_SCOPES = (
    "read",
    "leads:write",
    "applications:write",
    "payments:write",
    "approvals:write",
    "disbursements:write",
    "*",
)


@transaction.atomic
def api_token_create(
    *,
    actor: User,
    user_id: int,
    name: str,
    scopes: Iterable[str],
    expires_at: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> tuple[ApiToken, str]:
    """Issue a token for a user; returns the row and the secret, which is shown once and never stored."""
    _require(actor, "accounts.manage_tokens")
    owner = User.objects.filter(pk=user_id, is_active=True).first()
    if owner is None:
        raise ValidationFailed(fields={"user": [_("Choose an active user.")]})
    scopes = sorted(set(scopes))
    if not scopes or any(s not in KNOWN_SCOPES for s in scopes):
        raise ValidationFailed(fields={"scopes": [_("Choose at least one known scope.")]})
    if not name.strip():
        raise ValidationFailed(fields={"name": [_("This field is required.")]})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationFailed(fields={"expires_at": [_("The expiry must be in the future.")]})
    secret, prefix = new_token_secret()
    token = ApiToken.objects.create(
        user=owner,
        name=name.strip(),
        prefix=prefix,
        digest=token_digest(secret),
        scopes=scopes,
        created_by=actor,
        expires_at=expires_at,
    )
    audit_event(actor, "api_token.created", token, {"user": owner.username, "scopes": scopes}, request)
    return token, secret


@transaction.atomic
def api_token_revoke(*, actor: User, token_id: int, request: HttpRequest | None = None) -> ApiToken:
    """Revoke a token at once; a revoked token never authenticates again."""
    _require(actor, "accounts.manage_tokens")
    token = ApiToken.objects.select_for_update().filter(pk=token_id).first()
    if token is None:
        raise NotFound()
    if token.revoked_at is not None:
        raise Conflict(_("The token is already revoked."))
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_event(actor, "api_token.revoked", token, {}, request)
    return token


def group_for(code: str) -> Group:
    return RoleProfile.objects.select_related("group").get(code=code).group


@transaction.atomic
def role_set_two_factor(*, actor: User, code: str, required: bool, request: HttpRequest | None = None) -> RoleProfile:
    """Require (or stop requiring) two-factor sign-in for everyone holding a role."""
    _require(actor, "accounts.manage_users")
    role = RoleProfile.objects.select_for_update().filter(code=code).first()
    if role is None:
        raise NotFound()
    before = role.requires_2fa
    role.requires_2fa = required
    role.save(update_fields=["requires_2fa"])
    audit_event(actor, "role.2fa_requirement", role, {"before": before, "after": required}, request)
    return role
