"""The single audit entry point every service calls inside its own transaction.

``audit_event`` writes one append-only row in the caller's transaction, so the event exists exactly when the
change it describes was committed. Each row is linked into one of a few hash chains under that chain head's row
lock: on PostgreSQL a writer takes the first head no other transaction holds (``SKIP LOCKED``), so concurrent
writers link into different chains instead of queueing on one; each chain stays linear; heads and checkpoints are
signed with the audit key. ``AUDIT_CHAINS`` (default 8) bounds the number of chains; SQLite, whose writers are
serialised anyway, uses one.
"""

from __future__ import annotations

import ipaddress
import os
from functools import cache
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connection, models, transaction
from django.http import HttpRequest
from django.utils import timezone

from loancrm.core.audit_chain import GENESIS, chain_hash, sign

if TYPE_CHECKING:
    from loancrm.core.models import AuditChainHead, AuditCheckpoint, AuditEvent


def audit_key() -> bytes:
    return str(settings.AUDIT_HMAC_KEY).encode()


def chain_count() -> int:
    """How many chains writers spread over (one where the database cannot skip locked rows)."""
    if not connection.features.has_select_for_update_skip_locked:
        return 1
    return max(1, int(getattr(settings, "AUDIT_CHAINS", 8)))


def _chain_label(kind: str, chain: int) -> str:
    # Chain 1 keeps the message of the single-chain trail it continues.
    return kind if chain == 1 else f"{kind}:{chain}"


def head_mac(seq: int, row_hash: str, chain: int = 1) -> str:
    return sign(audit_key(), f"{_chain_label('head', chain)}:{seq}:{row_hash}")


def checkpoint_mac(seq: int, row_hash: str, created_at: Any, chain: int = 1) -> str:
    return sign(audit_key(), f"{_chain_label('checkpoint', chain)}:{seq}:{row_hash}:{created_at.isoformat()}")


ACTION_LABELS: dict[str, Any] = {}


def register_action_labels(labels: dict[str, Any]) -> None:
    """Apps declare human labels (lazy translations) for their audit action codes."""
    ACTION_LABELS.update(labels)


def action_label(action: str) -> str:
    """The label of an action code in the active language, or the code itself."""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


def client_ip(request: HttpRequest | None) -> str | None:
    """The client address as the last trusted hop saw it (REMOTE_ADDR; proxies set it via the server)."""
    if request is None:
        return None
    raw = request.META.get("REMOTE_ADDR") or ""
    try:
        return ipaddress.ip_address(raw).compressed
    except ValueError:
        return None


def _jsonable(data: dict[str, Any] | None) -> dict[str, Any]:
    import json

    return json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder))


def _actor_repr(actor: Any, user: Any) -> str:
    if user is not None:
        return str(user.get_username())
    if isinstance(actor, str):
        return actor[:150]
    return "anonymous" if getattr(actor, "is_anonymous", False) else "system"


def audit_event(
    actor: Any,
    action: str,
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> AuditEvent:
    """Record that ``actor`` did ``action`` to ``target``; ``data`` holds before/after or context.

    ``actor`` may be a user, None (system) or an anonymous user (e.g. a failed login). Never pass
    plaintext personal data in ``data``.
    """
    from loancrm.core.models import AuditEvent

    user = actor if getattr(actor, "is_authenticated", False) and getattr(actor, "pk", None) else None
    row: dict[str, Any] = {
        "created_at": timezone.now(),
        "actor_id": user.pk if user is not None else None,
        "actor_repr": _actor_repr(actor, user),
        "action": action,
        "target_type": target._meta.label_lower if target is not None else "",
        "target_id": str(target.pk) if target is not None else "",
        "target_repr": str(target)[:200] if target is not None else "",
        "data": _jsonable(data),
        "ip": client_ip(request),
        "user_agent": (request.headers.get("User-Agent", "")[:300] if request is not None else ""),
    }
    with transaction.atomic(savepoint=False):  # part of the caller's transaction: no savepoint round trips
        chain, prev_seq, prev_hash = _lock_head_row()
        row["seq"] = prev_seq + 1
        row_hash = chain_hash(prev_hash, row)
        event = AuditEvent(**row, chain=chain, prev_hash=prev_hash, row_hash=row_hash, mac=sign(audit_key(), row_hash))
        with connection.cursor() as cursor:
            event.pk = _write_event(cursor, event, head_mac(event.seq, row_hash, chain))
            event._state.adding = False
    return event


_HEAD_UPDATE = "UPDATE core_auditchainhead SET seq = %s, row_hash = %s, mac = %s WHERE chain = %s"


@cache
def _event_insert() -> tuple[list[models.Field[Any, Any]], str]:
    """The fields of an audit row and the INSERT that writes them."""
    from loancrm.core.models import AuditEvent

    fields = [f for f in AuditEvent._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    return fields, f"INSERT INTO core_auditevent ({columns}) VALUES ({marks}) RETURNING id"  # noqa: S608


def _write_event(cursor: Any, event: AuditEvent, mac: str) -> int:
    """Insert the row and move the chain head to it; returns the row's id. Plain SQL (the ORM's save costs more
    than the statement on this hot path); on PostgreSQL both in one statement (one round trip fewer per event)."""
    fields, insert = _event_insert()
    values = [f.get_db_prep_save(getattr(event, f.attname), connection) for f in fields]
    head = [event.seq, event.row_hash, mac, event.chain]
    if connection.vendor == "postgresql":
        cursor.execute(f"WITH e AS ({insert}) {_HEAD_UPDATE} RETURNING (SELECT id FROM e)", values + head)  # noqa: S608
        return int(cursor.fetchone()[0])
    cursor.execute(insert, values)
    pk = int(cursor.fetchone()[0])
    cursor.execute(_HEAD_UPDATE, head)
    return pk


_FREE_HEAD = "SELECT chain, seq, row_hash FROM core_auditchainhead ORDER BY chain LIMIT 1 FOR UPDATE SKIP LOCKED"
_FIRST_HEAD = "SELECT chain, seq, row_hash FROM core_auditchainhead WHERE chain = 1"


def _lock_head_row() -> tuple[int, int, str]:
    """(chain, seq, hash) of a chain head, row-locked until the transaction ends (one query on the hot path): the
    first head nobody holds; when every head is held, a new one while there are fewer than ``chain_count()``,
    otherwise one of them (picked by process) to wait for."""
    from loancrm.core.models import AuditChainHead

    skip_locked = connection.features.has_select_for_update_skip_locked
    with connection.cursor() as cursor:
        cursor.execute(_FREE_HEAD if skip_locked else _FIRST_HEAD)
        found = cursor.fetchone()
    if found is not None:
        return int(found[0]), int(found[1]), str(found[2])
    chain = 1
    if skip_locked:
        heads = AuditChainHead.objects.count()
        chain = heads + 1 if heads < chain_count() else os.getpid() % heads + 1
    head = _locked_head(chain)
    return head.chain, head.seq, head.row_hash


def _locked_head(chain: int) -> AuditChainHead:
    """Lock the head of ``chain``, creating it (from the chain's newest row, if any) when it is missing."""
    from loancrm.core.models import AuditChainHead, AuditEvent

    head = AuditChainHead.objects.select_for_update().filter(chain=chain).first()
    if head is not None:
        return head
    last = AuditEvent.objects.filter(chain=chain).order_by("-seq").values("seq", "row_hash").first()
    seq, row_hash = (last["seq"], last["row_hash"]) if last else (0, GENESIS)
    try:
        with transaction.atomic():
            AuditChainHead.objects.create(chain=chain, seq=seq, row_hash=row_hash, mac=head_mac(seq, row_hash, chain))
    except IntegrityError:
        pass
    return AuditChainHead.objects.select_for_update().get(chain=chain)


def audit_checkpoint() -> list[AuditCheckpoint]:
    """Sign every chain head that moved since its last checkpoint (none when nothing happened)."""
    from loancrm.core.models import AuditChainHead, AuditCheckpoint, AuditEvent

    made: list[AuditCheckpoint] = []
    with transaction.atomic():
        if AuditEvent.objects.exists() and not AuditChainHead.objects.exists():
            _locked_head(1)
        for head in AuditChainHead.objects.select_for_update().order_by("chain"):
            last = AuditCheckpoint.objects.filter(chain=head.chain).order_by("-seq").first()
            if head.seq == 0 or (last is not None and last.seq == head.seq):
                continue
            now = timezone.now()
            made.append(AuditCheckpoint.objects.create(
                chain=head.chain, seq=head.seq, row_hash=head.row_hash, created_at=now,
                mac=checkpoint_mac(head.seq, head.row_hash, now, head.chain),
            ))  # fmt: skip
    return made
