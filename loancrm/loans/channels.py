"""Payment channels: creating one (with its clearing ledger account), renaming, (de)activating, rotating its secret.

Invariants: every channel has the asset account ``clearing_account(code)`` in the ledger from the moment it exists
(a channel's repayments debit it); the signing secret is stored encrypted, never written to the audit log, never
shown back whole (``masked_secret``); every change is audited in its own transaction.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from loancrm.core.audit import audit_event
from loancrm.core.errors import Conflict, NotFound, ValidationFailed
from loancrm.ledger.choices import AccountKind
from loancrm.ledger.models import LedgerAccount
from loancrm.loans.models import PaymentChannel
from loancrm.loans.services import clearing_account

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{1,29}$")
SECRET_MIN_LENGTH = 16
SECRET_MAX_LENGTH = 200


class InvalidChannel(ValidationFailed):
    code = "invalid_channel"
    default_message = _("The payment channel settings are invalid.")


class ChannelExists(Conflict):
    code = "channel_exists"
    default_message = _("A payment channel with this code already exists.")


def masked_secret(secret: str) -> str:
    """The secret as shown on pages: its last four characters only."""
    if len(secret) < SECRET_MIN_LENGTH:
        return "*" * 8
    return "*" * 12 + secret[-4:]


def channels_all() -> QuerySet[PaymentChannel]:
    return PaymentChannel.objects.order_by("code")


def _check_secret(secret: str) -> str:
    if not SECRET_MIN_LENGTH <= len(secret) <= SECRET_MAX_LENGTH or secret != secret.strip():
        message = _("The secret must be %(min)d to %(max)d characters without leading or trailing spaces.") % {
            "min": SECRET_MIN_LENGTH,
            "max": SECRET_MAX_LENGTH,
        }
        raise InvalidChannel(fields={"secret": [message]})
    return secret


def _check_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name or len(name) > 80:
        raise InvalidChannel(fields={"name": [_("Enter a name of at most 80 characters.")]})
    return name


def _clearing_account_ensure(code: str) -> LedgerAccount:
    account, _created = LedgerAccount.objects.get_or_create(
        code=clearing_account(code),
        defaults={
            "kind": AccountKind.ASSET,
            "name_zh": f"支付渠道清算户 – {code}",
            "name_en": f"Payment clearing – {code}",
        },
    )
    return account


def channel_create(
    *, code: str, name: str, secret: str, actor: Any, is_active: bool = True, request: HttpRequest | None = None
) -> PaymentChannel:
    """A new channel and its clearing account (``1002.9.<code>``, asset)."""
    code = (code or "").strip()
    if not CODE_RE.match(code):
        raise InvalidChannel(
            fields={"code": [_("2 to 30 letters, digits, '-' or '_', starting with a letter or digit.")]}
        )
    name = _check_name(name)
    _check_secret(secret)
    with transaction.atomic():
        if PaymentChannel.objects.filter(code__iexact=code).exists():
            raise ChannelExists(fields={"code": [str(ChannelExists.default_message)]})
        try:
            with transaction.atomic():
                channel = PaymentChannel.objects.create(code=code, name=name, secret=secret, is_active=is_active)
        except IntegrityError:
            raise ChannelExists(fields={"code": [str(ChannelExists.default_message)]}) from None
        account = _clearing_account_ensure(code)
        audit_event(
            actor,
            "channel.created",
            channel,
            {"code": code, "name": name, "is_active": is_active, "clearing_account": account.code},
            request,
        )
    return channel


def channel_update(
    *,
    channel_id: int,
    actor: Any,
    name: str | None = None,
    is_active: bool | None = None,
    secret: str | None = None,
    request: HttpRequest | None = None,
) -> PaymentChannel:
    """Rename, (de)activate and/or rotate the secret; the audit event records what changed (never the secret)."""
    if name is not None:
        name = _check_name(name)
    if secret is not None:
        _check_secret(secret)
    with transaction.atomic():
        channel = PaymentChannel.objects.select_for_update().filter(pk=channel_id).first()
        if channel is None:
            raise NotFound
        changes: dict[str, Any] = {}
        if name is not None and name != channel.name:
            changes["name"] = [channel.name, name]
            channel.name = name
        if is_active is not None and is_active != channel.is_active:
            changes["is_active"] = [channel.is_active, is_active]
            channel.is_active = is_active
        if secret is not None and secret != channel.secret:
            changes["secret_rotated"] = True
            channel.secret = secret
        if not changes:
            return channel
        channel.save(update_fields=["name", "is_active", "secret"])
        _clearing_account_ensure(channel.code)
        audit_event(actor, "channel.updated", channel, {"code": channel.code, **changes}, request)
    return channel
