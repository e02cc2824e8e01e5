"""Signed repayment notifications from payment channels (``POST /api/v1/payments/notify/{channel}``).

Authentication is the signature: ``X-Signature`` = hex HMAC-SHA256 under the channel's secret of
``X-Timestamp + "." + raw body``, with ``X-Timestamp`` (unix seconds) within ``WINDOW`` of now. An unknown channel,
an inactive one and a wrong signature get the same answer (the dummy secret keeps the timing alike).

Invariants:
- (channel, channel_txn_id) is answered once: the notification row is inserted first, in the transaction that posts
  the payment, so a concurrent duplicate waits on the unique index and then reads the first one's stored answer;
  a replay gets the same HTTP status and body and posts nothing; the same id with another body is
  ``conflicting_replay`` (nothing stored, operations alerted);
- an accepted notification and its repayment commit together (``payment_post`` with the channel's clearing account);
- a refusal after a valid signature is stored (result ``refused`` with its code), audited (``payment.refused``) and
  sent to operations as an in-app alert; a bad signature or timestamp stores nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import re
import time
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.contrib.auth.models import Permission
from django.db import connection, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from loancrm.accounts.models import User
from loancrm.core.audit import audit_event
from loancrm.core.business_date import current_business_date
from loancrm.core.money import money_str
from loancrm.core.notifications import notify
from loancrm.loans.choices import OPEN_STATUSES, NotificationResult, Source
from loancrm.loans.errors import LoanNotFound
from loancrm.loans.models import PaymentChannel, PaymentNotification
from loancrm.loans.services import payment_post_locked
from loancrm.loans.services.common import lock_with_rows

logger = logging.getLogger(__name__)

WINDOW = 300  # seconds either side of now
MAX_BODY = 8 * 1024
AMOUNT_RE = re.compile(r"[0-9]{1,16}(?:\.[0-9]{1,2})?", re.ASCII)
_DUMMY_SECRET = "loancrm-no-such-channel-0000000000"  # noqa: S105 (compared against, never accepted)

ACCEPTED = "success"
REFUSED = "refused"

# refusal code → HTTP status
STATUS = {
    "payload_too_large": 413,
    "invalid_timestamp": 401,
    "invalid_signature": 401,
    "invalid_body": 400,
    "invalid_amount": 422,
    "unknown_contract": 422,
    "loan_not_open": 409,
    "conflicting_replay": 409,
}


def _messages() -> dict[str, str]:
    return {
        "payload_too_large": _("The notification body is larger than 8 KiB."),
        "invalid_timestamp": _("X-Timestamp is missing or more than 5 minutes from the server's time."),
        "invalid_signature": _("The signature does not verify."),
        "invalid_body": _("The body must be a JSON object with channel_txn_id, contract_no, amount and paid_at."),
        "invalid_amount": _("The amount must be a positive decimal string with at most two decimals."),
        "unknown_contract": _("No loan has this contract number."),
        "loan_not_open": _("The loan is not open for payments."),
        "conflicting_replay": _("This channel transaction id was already notified with a different body."),
    }


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any]


def refusal(code: str, fields: dict[str, list[str]] | None = None) -> Answer:
    return Answer(STATUS[code], {"result": REFUSED, "code": code, "message": _messages()[code], "fields": fields or {}})


def answer_of(note: PaymentNotification) -> Answer:
    """The stored answer of a notification (what its first delivery got)."""
    if note.result == NotificationResult.ACCEPTED:
        return Answer(200, {"result": ACCEPTED, "transaction_id": note.transaction_id})
    return refusal(note.refusal_code)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The hex HMAC-SHA256 a channel sends as X-Signature."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


@dataclass
class Parsed:
    channel_txn_id: str
    contract_no: str
    paid_at: dt.datetime
    amount: Decimal | None  # None: not a valid amount (refused as invalid_amount, stored as 0)
    fields: dict[str, list[str]] = field(default_factory=dict)


def parse_body(raw: bytes) -> Parsed | Answer:
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return refusal("invalid_body")
    if not isinstance(data, dict):
        return refusal("invalid_body")
    problems: dict[str, list[str]] = {}
    txn_id, contract_no, paid_raw = data.get("channel_txn_id"), data.get("contract_no"), data.get("paid_at")
    if not isinstance(txn_id, str) or not txn_id.strip() or len(txn_id) > 64:
        problems["channel_txn_id"] = [_("A non-empty string of at most 64 characters.")]
    if not isinstance(contract_no, str) or not contract_no.strip() or len(contract_no) > 40:
        problems["contract_no"] = [_("A non-empty string of at most 40 characters.")]
    paid_at = _parse_time(paid_raw)
    if paid_at is None:
        problems["paid_at"] = [_("An ISO 8601 date and time with its UTC offset.")]
    if problems:
        return refusal("invalid_body", problems)
    assert isinstance(txn_id, str) and isinstance(contract_no, str) and paid_at is not None
    return Parsed(txn_id.strip(), contract_no.strip(), paid_at, _parse_amount(data.get("amount")))


def _parse_time(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None and parsed.utcoffset() is not None else None


def _parse_amount(value: Any) -> Decimal | None:
    """A positive amount on the fen from a plain decimal string ("3000.00"); JSON numbers are refused (floats never
    carry money), and so are signs, exponents, separators and a third decimal."""
    if not isinstance(value, str) or not AMOUNT_RE.fullmatch(value):
        return None
    amount = Decimal(value)
    return amount.quantize(Decimal("0.01")) if amount > 0 else None


def _fresh(timestamp: str | None, now: float) -> bool:
    if not timestamp or not timestamp.strip().isdigit() or len(timestamp.strip()) > 12:
        return False
    return abs(now - int(timestamp.strip())) <= WINDOW


def _verified(channel: PaymentChannel | None, timestamp: str, raw: bytes, signature: str | None) -> bool:
    expected = sign(channel.secret if channel else _DUMMY_SECRET, timestamp.strip(), raw).encode()
    given = (signature or "").strip().lower().encode("latin-1", "replace")
    return hmac.compare_digest(expected, given) and channel is not None


def notification_receive(
    *,
    channel_code: str,
    raw_body: bytes,
    timestamp: str | None,
    signature: str | None,
    request: HttpRequest | None = None,
    now: float | None = None,
) -> Answer:
    """Verify, record and post one notification; returns the HTTP answer (see the module invariants)."""
    if len(raw_body) > MAX_BODY:
        return refusal("payload_too_large")
    if not _fresh(timestamp, time.time() if now is None else now):
        return refusal("invalid_timestamp")
    assert timestamp is not None
    channel = active_channel(channel_code)
    if not _verified(channel, timestamp, raw_body, signature):
        logger.warning("payment notification with a bad signature for channel %r", channel_code[:30])
        return refusal("invalid_signature")
    assert channel is not None
    parsed = parse_body(raw_body)
    if isinstance(parsed, Answer):
        return parsed
    digest = hashlib.sha256(raw_body).hexdigest()
    actor = f"channel:{channel.code}"
    with transaction.atomic():
        note = _claim(channel, parsed, digest)
        if note is None:
            first = PaymentNotification.objects.get(channel=channel, channel_txn_id=parsed.channel_txn_id)
            if first.body_sha256 == digest:
                return answer_of(first)
            _refused(channel, parsed, "conflicting_replay", actor, request, first=first)
            return refusal("conflicting_replay")
        code = _post(note, channel, parsed, actor, request)
        if code:
            note.result, note.refusal_code = NotificationResult.REFUSED, code
            note.save(update_fields=["result", "refusal_code"])
            _refused(channel, parsed, code, actor, request, note=note)
        return answer_of(note)


_CHANNEL = "SELECT id, code, name, secret FROM loans_paymentchannel WHERE code = %s AND is_active"


def active_channel(code: str) -> PaymentChannel | None:
    """The active channel ``code`` (read fresh on every call, so deactivating or re-keying one applies to the next
    notification; only the decryption of an unchanged ciphertext is remembered)."""
    with connection.cursor() as cursor:
        cursor.execute(_CHANNEL, [code])
        row = cursor.fetchone()
    if row is None:
        return None
    pk, code, name, ciphertext = row
    return PaymentChannel(id=pk, code=code, name=name, secret=_secret(ciphertext), is_active=True)


@lru_cache(maxsize=128)
def _secret(ciphertext: str) -> str:
    field = PaymentChannel._meta.get_field("secret")
    return str(field.from_db_value(ciphertext, None, connection))


_CLAIM = (
    "INSERT INTO loans_paymentnotification (channel_id, channel_txn_id, contract_no, amount, paid_at, result, "
    "refusal_code, body_sha256, received_at) VALUES (%s, %s, %s, %s, %s, %s, '', %s, %s) "
    "ON CONFLICT (channel_id, channel_txn_id) DO NOTHING RETURNING id"
)


def _claim(channel: PaymentChannel, parsed: Parsed, digest: str) -> PaymentNotification | None:
    """Insert the notification row, or None when (channel, channel_txn_id) is taken. A concurrent first delivery
    still in flight makes this wait on the unique index until it commits (then None) or rolls back (then ours)."""
    note = PaymentNotification(
        channel=channel,
        channel_txn_id=parsed.channel_txn_id,
        contract_no=parsed.contract_no,
        amount=parsed.amount or Decimal("0.00"),
        paid_at=parsed.paid_at,
        result=NotificationResult.ACCEPTED,
        body_sha256=digest,
        received_at=timezone.now(),
    )
    params = [channel.pk, note.channel_txn_id, note.contract_no, note.amount, note.paid_at, note.result, digest,
              note.received_at]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(_CLAIM, params)
        row = cursor.fetchone()
    if row is None:
        return None
    note.pk = row[0]
    note._state.adding = False
    return note


def _post(
    note: PaymentNotification, channel: PaymentChannel, parsed: Parsed, actor: str, request: HttpRequest | None
) -> str:
    """Post the payment of ``note`` (linking the transaction) in the caller's transaction, without savepoints: every
    refusal is decided before anything is written. The refusal code, or "" when it was posted."""
    if parsed.amount is None:
        return "invalid_amount"
    try:
        loan, rows = lock_with_rows(contract_no=parsed.contract_no, open_only=False)
    except LoanNotFound:
        return "unknown_contract"
    if loan.status not in OPEN_STATUSES:
        return "loan_not_open"
    business_date = current_business_date()
    # A payment made after the business date's cut-off (end of day not run yet) is valued on the business date.
    value_date = min(timezone.localtime(parsed.paid_at).date(), business_date)
    txn = payment_post_locked(
        loan,
        rows,
        amount=parsed.amount,
        value_date=value_date,
        business_date=business_date,
        actor=actor,
        source=Source.CHANNEL,
        channel=channel,
        reference=parsed.channel_txn_id,
        notification_id=note.pk,
        request=request,
    )
    note.transaction = txn
    return ""


def alert_recipients() -> list[User]:
    """Who hears about refused notifications: holders of loans.manage_payment_channels and the operations role."""
    perms = Permission.objects.filter(content_type__app_label="loans", codename="manage_payment_channels")
    return list(
        User.objects.filter(is_active=True)
        .filter(
            Q(groups__permissions__in=perms)
            | Q(user_permissions__in=perms)
            | Q(groups__role__code="operations")
            | Q(is_superuser=True)
        )
        .distinct()
    )


def _refused(
    channel: PaymentChannel,
    parsed: Parsed,
    code: str,
    actor: str,
    request: HttpRequest | None,
    *,
    note: PaymentNotification | None = None,
    first: PaymentNotification | None = None,
) -> None:
    amount = money_str(parsed.amount) if parsed.amount is not None else ""
    audit_event(
        actor,
        "payment.refused",
        note or first,
        {
            "channel": channel.code,
            "channel_txn_id": parsed.channel_txn_id,
            "contract_no": parsed.contract_no,
            "amount": amount,
            "paid_at": parsed.paid_at.isoformat(),
            "code": code,
            "stored": note is not None,
        },
        request,
    )
    notify(
        alert_recipients(),
        kind="loans.payment_refused",
        title=_("Payment notification refused: %(channel)s %(txn)s")
        % {"channel": channel.code, "txn": parsed.channel_txn_id},
        body=_("Contract %(contract)s, amount %(amount)s: %(reason)s")
        % {"contract": parsed.contract_no, "amount": amount or "—", "reason": _messages()[code]},
        link=f"/loans/channels/{channel.pk}/",
    )
