"""Two-factor sign-in with TOTP authenticator apps and one-time recovery codes (django-otp devices).

Invariants: a user with a confirmed TOTP device is signed in only after a valid code (or an unused recovery code)
following the password; a user whose role requires two factors and has no device can do nothing but enrol; a code
is accepted once (replay refused) and failures count toward the sign-in lockout; enrolment, recovery-code use and an
administrator's reset are audited.
"""

from __future__ import annotations

import io
import time
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from loancrm.accounts.models import User
from loancrm.core.audit import audit_event
from loancrm.core.errors import Conflict, PermissionDenied, ValidationFailed

PENDING = "_loancrm_2fa_pending"
VERIFIED = "_loancrm_2fa_verified"
RECOVERY_CODES = 10


def role_requires_2fa(user: Any) -> bool:
    return any(profile.requires_2fa for profile in user.role_profiles())


def has_device(user: Any) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def must_enrol(user: Any) -> bool:
    return bool(getattr(settings, "TWO_FACTOR_ENFORCED", True)) and role_requires_2fa(user) and not has_device(user)


def start_pending(request: HttpRequest, user: User) -> None:
    """Remember that the password was right; the sign-in completes after the second factor."""
    request.session.cycle_key()
    request.session[PENDING] = {"user_id": user.pk, "at": int(time.time())}


def pending_user(request: HttpRequest) -> User | None:
    pending = request.session.get(PENDING)
    if not pending or time.time() - pending["at"] > settings.TWO_FACTOR_PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return None
    return User.objects.filter(pk=pending["user_id"], is_active=True).first()


def verify_code(user: User, code: str) -> str | None:
    """Return "totp" or "recovery" if ``code`` is valid for ``user`` (a recovery code is used up), else None."""
    code = "".join(code.split())
    if code.isdigit() and len(code) == 6:
        for device in TOTPDevice.objects.filter(user=user, confirmed=True):
            if device.verify_token(code):
                return "totp"
        return None
    for device in StaticDevice.objects.filter(user=user, confirmed=True):
        if device.verify_token(code.lower()):
            return "recovery"
    return None


def enrolment_device(user: User) -> TOTPDevice:
    """The user's unconfirmed TOTP device (created on first call) whose secret the QR code shows."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


def qr_svg(uri: str) -> str:
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


@transaction.atomic
def enrol_confirm(*, user: User, code: str, request: HttpRequest | None = None) -> list[str]:
    """Confirm the pending device with a code from the app; returns fresh recovery codes (shown once)."""
    if has_device(user):
        raise Conflict(_("Two-factor sign-in is already set up."))
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None or not device.verify_token("".join(code.split())):
        raise ValidationFailed(fields={"code": [_("The code is not valid. Check the time on your phone and retry.")]})
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_recovery_codes(user)
    audit_event(user, "user.2fa_enrolled", user, {}, request)
    if request is not None:
        request.session[VERIFIED] = True
    return codes


def _new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@transaction.atomic
def recovery_codes_regenerate(*, user: User, request: HttpRequest | None = None) -> list[str]:
    if not has_device(user):
        raise Conflict(_("Set up two-factor sign-in first."))
    codes = _new_recovery_codes(user)
    audit_event(user, "user.2fa_recovery_regenerated", user, {}, request)
    return codes


@transaction.atomic
def two_factor_reset(*, actor: User, user_id: int, request: HttpRequest | None = None) -> User:
    """An administrator removes a user's devices (lost phone); the user enrols again at next sign-in."""
    from loancrm.accounts.services import end_sessions

    if not actor.has_perm("accounts.manage_users"):
        raise PermissionDenied()
    user = User.objects.select_for_update().get(pk=user_id)
    removed = TOTPDevice.objects.filter(user=user).count() + StaticDevice.objects.filter(user=user).count()
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    ended = end_sessions(user)
    audit_event(actor, "user.2fa_reset", user, {"devices_removed": removed, "sessions_ended": ended}, request)
    return user
