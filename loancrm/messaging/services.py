"""Sending SMS (through the configured provider, every message recorded) and one-time SMS codes.

Invariants: ``send_sms`` records each message, whatever the provider says, in the same transaction as its caller;
a code is 6 random digits stored only as a keyed hash, valid ``SMS_CODE_TTL_SECONDS`` (300), single use, refused
after ``SMS_CODE_MAX_ATTEMPTS`` (5) wrong tries; a mobile gets at most one code per ``SMS_CODE_INTERVAL_SECONDS``
(60) and ``SMS_CODES_PER_DAY`` (10) a day, an address ``SMS_CODES_PER_ADDRESS_HOUR`` (30) an hour. A wrong try is
counted even though the verification fails (the count commits before the refusal is raised).
"""

from __future__ import annotations

import datetime as dt
import hmac
import logging
import secrets
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from loancrm.core.audit import client_ip
from loancrm.core.china_ids import InvalidMobile, normalize_mobile
from loancrm.core.errors import DomainError, ValidationFailed
from loancrm.core.fields import BlindIndexField
from loancrm.messaging.choices import SMS_TEMPLATES, CodePurpose, SmsStatus
from loancrm.messaging.errors import SmsAddressLimit, SmsCodeRejected, SmsDailyLimit, SmsTooFrequent
from loancrm.messaging.models import SmsCode, SmsMessage
from loancrm.messaging.providers import get_provider

log = logging.getLogger(__name__)
_BIDX = SmsMessage._meta.get_field("mobile_bidx")


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def clean_mobile(raw: str) -> str:
    try:
        return normalize_mobile(raw or "")
    except InvalidMobile:
        raise ValidationFailed(fields={"mobile": [_("Enter a mainland mobile number.")]}) from None


def mobile_digest(mobile: str) -> str:
    assert isinstance(_BIDX, BlindIndexField)
    return _BIDX.digest(mobile)


def render_template(template_code: str, params: Mapping[str, Any]) -> str:
    if template_code not in SMS_TEMPLATES:
        raise ValueError(f"unknown SMS template {template_code!r}")
    return SMS_TEMPLATES[template_code].format(**params)


@transaction.atomic
def send_sms(mobile: str, template_code: str, params: Mapping[str, Any]) -> SmsMessage:
    """Render ``template_code`` with ``params``, hand it to the provider and record the message."""
    mobile = clean_mobile(mobile)
    text = render_template(template_code, params)
    provider = get_provider()
    try:
        delivery = provider.deliver(mobile, text)
        status, provider_id, error = delivery.status, delivery.provider_id, delivery.error
    except Exception as exc:  # a gateway failure is recorded, not raised: the caller's flow goes on
        log.warning("SMS provider %s failed: %s", provider.name, exc)
        status, provider_id, error = SmsStatus.FAILED, "", str(exc)[:200]
    return SmsMessage.objects.create(
        mobile=mobile, template_code=template_code, text=text, status=status, provider=provider.name,
        provider_id=provider_id[:64], error=error[:200],
    )  # fmt: skip


def _code_hash(digest: str, purpose: str, code: str) -> str:
    return salted_hmac("loancrm.messaging.sms_code", f"{digest}:{purpose}:{code}", algorithm="sha256").hexdigest()


def _check_limits(digest: str, purpose: str, ip: str | None, now: dt.datetime) -> None:
    recent = SmsCode.objects.filter(mobile_bidx=digest)
    interval = dt.timedelta(seconds=_setting("SMS_CODE_INTERVAL_SECONDS", 60))
    if recent.filter(created_at__gt=now - interval).exists():
        raise SmsTooFrequent()
    day_start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    if recent.filter(created_at__gte=day_start).count() >= _setting("SMS_CODES_PER_DAY", 10):
        raise SmsDailyLimit()
    hour = now - dt.timedelta(hours=1)
    if ip and SmsCode.objects.filter(ip=ip, created_at__gt=hour).count() >= _setting("SMS_CODES_PER_ADDRESS_HOUR", 30):
        raise SmsAddressLimit()


# The SMS text of each code purpose (default: the sign-in text).
CODE_TEMPLATES: dict[str, str] = {CodePurpose.CONTRACT_SIGN: "contract_sign_code"}


@transaction.atomic
def sms_code_send(*, mobile: str, purpose: str, request: HttpRequest | None = None) -> SmsCode:
    """Send a new 6-digit code to ``mobile`` for ``purpose`` (earlier unused codes stop working)."""
    if purpose not in CodePurpose.values:
        raise ValidationFailed(fields={"purpose": [_("Choose one of the allowed values.")]})
    mobile = clean_mobile(mobile)
    digest, ip, now = mobile_digest(mobile), client_ip(request), timezone.now()
    _check_limits(digest, purpose, ip, now)
    SmsCode.objects.filter(mobile_bidx=digest, purpose=purpose, used_at__isnull=True).update(used_at=now)
    code = f"{secrets.randbelow(10**6):06d}"
    ttl = _setting("SMS_CODE_TTL_SECONDS", 300)
    message = send_sms(mobile, CODE_TEMPLATES.get(purpose, "login_code"), {"code": code, "minutes": ttl // 60})
    return SmsCode.objects.create(
        mobile_bidx=digest, purpose=purpose, code_hash=_code_hash(digest, purpose, code), ip=ip, created_at=now,
        expires_at=now + dt.timedelta(seconds=ttl), message=message,
    )  # fmt: skip


def _rejected(message: Any) -> SmsCodeRejected:
    return SmsCodeRejected(fields={"code": [message]})


@transaction.atomic
def _try_code(digest: str, purpose: str, code: str) -> DomainError | None:
    row = (
        SmsCode.objects.select_for_update()
        .filter(mobile_bidx=digest, purpose=purpose, used_at__isnull=True)
        .order_by("-created_at", "-id")
        .first()
    )
    if row is None:
        return _rejected(_("Request a verification code first."))
    now = timezone.now()
    if row.expires_at <= now:
        return _rejected(_("The verification code has expired. Please request a new one."))
    limit = _setting("SMS_CODE_MAX_ATTEMPTS", 5)
    if row.attempts >= limit:
        return _rejected(_("Too many wrong attempts. Please request a new code."))
    if hmac.compare_digest(row.code_hash, _code_hash(digest, purpose, code)):
        row.used_at = now
        row.save(update_fields=["used_at"])
        return None
    row.attempts += 1
    row.save(update_fields=["attempts"])
    left = limit - row.attempts
    if left <= 0:
        return _rejected(_("Too many wrong attempts. Please request a new code."))
    return _rejected(_("The verification code is wrong. %(left)s attempts left.") % {"left": left})


def sms_code_verify(*, mobile: str, purpose: str, code: str) -> None:
    """Accept ``code`` once for ``mobile`` and ``purpose`` or raise ``SmsCodeRejected`` (a wrong try counts)."""
    mobile = clean_mobile(mobile)
    code = (code or "").strip()
    if not (len(code) == 6 and code.isdigit()):
        raise _rejected(_("Enter the 6-digit code from the SMS."))
    refusal = _try_code(mobile_digest(mobile), purpose, code)
    if refusal is not None:
        raise refusal


def render_email(template_code: str, params: Mapping[str, Any]) -> tuple[str, str]:
    from loancrm.messaging.email_templates import EMAIL_TEMPLATES

    if template_code not in EMAIL_TEMPLATES:
        raise ValueError(f"unknown e-mail template {template_code!r}")
    subject, body = EMAIL_TEMPLATES[template_code]
    return subject.format(**params), body.format(**params)


def clean_email(raw: str) -> str:
    from django.core.validators import validate_email

    address = (raw or "").strip()
    try:
        validate_email(address)
    except Exception:
        raise ValidationFailed(fields={"email": [_("Enter a valid e-mail address.")]}) from None
    return address


@transaction.atomic
def send_email(to: str, template_code: str, params: Mapping[str, Any]) -> Any:
    """Render ``template_code`` with ``params``, send it through Django's e-mail backend and record the message
    (``EmailMessageRecord``); a backend failure is recorded as ``failed``, not raised."""
    from django.core.mail import EmailMessage, get_connection
    from django.core.mail.message import make_msgid

    from loancrm.messaging.models import EmailMessageRecord, EmailStatus

    address = clean_email(to)
    subject, body = render_email(template_code, params)
    backend = str(getattr(settings, "EMAIL_BACKEND", ""))
    message_id = make_msgid(domain="loancrm.local")
    message = EmailMessage(subject=subject, body=body, to=[address], headers={"Message-ID": message_id},
                           connection=get_connection())  # fmt: skip
    try:
        message.send(fail_silently=False)
        status, error = EmailStatus.SENT, ""
    except Exception as exc:  # a mail failure is recorded, not raised: the caller's flow goes on
        log.warning("e-mail backend %s failed: %s", backend, exc)
        status, error = EmailStatus.FAILED, str(exc)[:200]
    return EmailMessageRecord.objects.create(
        address=address, template_code=template_code, subject=subject[:200], body=body, status=status,
        provider=backend.rsplit(".", 2)[-2] if backend.count(".") >= 2 else backend[:80],
        provider_id=message_id[:200], error=error,
    )  # fmt: skip
