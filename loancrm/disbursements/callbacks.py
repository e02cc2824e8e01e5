"""Signed disbursement callbacks from the payment channel (``POST /api/v1/disbursements/callback``).

Authentication is the signature, as for repayment notifications (``loancrm.loans.notifications``): ``X-Signature``
= hex HMAC-SHA256 under ``settings.DISBURSEMENT_CHANNEL_SECRET`` of ``X-Timestamp + "." + raw body``, with
``X-Timestamp`` (unix seconds) within 5 minutes of now. The body is a JSON object: ``channel_reference`` (the
attempt's), ``contract_no``, ``amount`` (a decimal string), ``status`` (``succeeded`` / ``failed``) and ``reason``.

Invariants: a bad signature or timestamp stores nothing; an attempt is answered once — a repeated callback with the
same body gets the first answer and changes nothing, another body for an answered attempt is
``conflicting_replay``; a success books the loan in the same transaction as it marks the order succeeded.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _

from loancrm.loans.notifications import sign

logger = logging.getLogger(__name__)

WINDOW = 300
MAX_BODY = 8 * 1024
STATUS = {
    "payload_too_large": 413,
    "invalid_timestamp": 401,
    "invalid_signature": 401,
    "invalid_body": 400,
    "unknown_reference": 422,
    "mismatch": 422,
    "not_awaiting": 409,
    "conflicting_replay": 409,
}


def _messages() -> dict[str, str]:
    return {
        "payload_too_large": _("The callback body is larger than 8 KiB."),
        "invalid_timestamp": _("X-Timestamp is missing or more than 5 minutes from the server's time."),
        "invalid_signature": _("The signature does not verify."),
        "invalid_body": _("The body must be a JSON object with channel_reference, contract_no, amount and status."),
        "unknown_reference": _("No disbursement attempt has this channel reference."),
        "mismatch": _("The contract number or amount does not match the disbursement order."),
        "not_awaiting": _("The disbursement order is not awaiting this attempt's answer."),
        "conflicting_replay": _("This attempt was already answered with a different body."),
    }


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any]


def refusal(code: str) -> Answer:
    return Answer(STATUS[code], {"result": "refused", "code": code, "message": _messages()[code], "fields": {}})


def accepted(order: Any, attempt: Any) -> Answer:
    return Answer(200, {"result": "success", "order_id": order.pk, "attempt": attempt.number,
                        "status": attempt.status})  # fmt: skip


def secret() -> str:
    return str(settings.DISBURSEMENT_CHANNEL_SECRET)


def signed_headers(raw: bytes, *, timestamp: str | None = None) -> tuple[str, str]:
    """(X-Timestamp, X-Signature) for ``raw`` under the channel secret (what the channel sends)."""
    stamp = timestamp or str(int(time.time()))
    return stamp, sign(secret(), stamp, raw)


@dataclass(frozen=True)
class Parsed:
    channel_reference: str
    contract_no: str
    amount: str
    status: str
    reason: str


def parse(raw: bytes) -> Parsed | None:
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    values = [data.get(key) for key in ("channel_reference", "contract_no", "amount", "status")]
    if not all(isinstance(v, str) and v.strip() and len(v) <= 64 for v in values):
        return None
    reason = data.get("reason", "")
    if data["status"] not in ("succeeded", "failed") or not isinstance(reason, str):
        return None
    return Parsed(data["channel_reference"].strip(), data["contract_no"].strip(), data["amount"].strip(),
                  data["status"], reason.strip()[:200])  # fmt: skip


def verify(raw: bytes, timestamp: str | None, signature: str | None, now: float | None = None) -> str:
    """The refusal code of the envelope, or "" when size, timestamp and signature are good."""
    if len(raw) > MAX_BODY:
        return "payload_too_large"
    stamp = (timestamp or "").strip()
    current = time.time() if now is None else now
    if not stamp.isdigit() or len(stamp) > 12 or abs(current - int(stamp)) > WINDOW:
        return "invalid_timestamp"
    expected = sign(secret(), stamp, raw).encode()
    given = (signature or "").strip().lower().encode("latin-1", "replace")
    if not hmac.compare_digest(expected, given):
        logger.warning("disbursement callback with a bad signature")
        return "invalid_signature"
    return ""


def callback_receive(
    *, raw_body: bytes, timestamp: str | None, signature: str | None, request: HttpRequest | None = None,
    now: float | None = None,
) -> Answer:  # fmt: skip
    """Verify one callback and apply it (``services.disbursement_answer``); returns the HTTP answer."""
    from loancrm.disbursements.services import disbursement_answer

    code = verify(raw_body, timestamp, signature, now)
    if code:
        return refusal(code)
    parsed = parse(raw_body)
    if parsed is None:
        return refusal("invalid_body")
    return disbursement_answer(parsed=parsed, digest=hashlib.sha256(raw_body).hexdigest(), request=request)
