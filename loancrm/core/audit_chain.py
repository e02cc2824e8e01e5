"""The audit hash chain (pure: no Django).

Each audit row carries ``seq`` (1, 2, 3, … without gaps), ``prev_hash`` (the previous row's hash, GENESIS for
the first), ``row_hash`` = SHA-256(prev_hash ‖ canonical content) and ``mac`` = HMAC-SHA256(audit key, row_hash).
Editing a row breaks its hash; deleting, inserting or reordering rows breaks ``seq`` or the links; recomputing the
chain after tampering needs the audit key, which the database never holds. Truncating the newest rows is caught by
the signed chain head and checkpoints (see ``loancrm.core.audit``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64
FIELDS = (
    "seq",
    "created_at",
    "actor_id",
    "actor_repr",
    "action",
    "target_type",
    "target_id",
    "target_repr",
    "data",
    "ip",
    "user_agent",
)


def _normal(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat(timespec="microseconds")
    return value


def canonical(row: Mapping[str, Any]) -> bytes:
    """The content that is hashed: the listed fields as sorted, compact UTF-8 JSON."""
    return json.dumps(
        {name: _normal(row[name]) for name in FIELDS}, sort_keys=True, ensure_ascii=False, separators=(",", ":")
    ).encode()


def chain_hash(prev_hash: str, row: Mapping[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode() + canonical(row)).hexdigest()


def sign(key: bytes, message: str) -> str:
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Break:
    seq: int
    row_id: int | None
    reason: str


@dataclass(frozen=True)
class VerifyResult:
    rows: int
    last_seq: int
    last_hash: str
    breaks: tuple[Break, ...]

    @property
    def ok(self) -> bool:
        return not self.breaks


def verify_chain(rows: Iterable[Mapping[str, Any]], key: bytes, *, stop_after: int = 1) -> VerifyResult:
    """Check rows given in ``seq`` order; stop after ``stop_after`` breaks (the first is what matters)."""
    breaks: list[Break] = []
    expected_seq, prev_hash, count = 1, GENESIS, 0
    for row in rows:
        count += 1
        seq, row_id = row["seq"], row.get("id")
        problem = None
        if seq != expected_seq:
            problem = f"sequence gap or reorder: expected {expected_seq}, found {seq}"
        elif row["prev_hash"] != prev_hash:
            problem = "link to the previous row does not match (a row was deleted, inserted or moved)"
        elif chain_hash(prev_hash, row) != row["row_hash"]:
            problem = "content does not match its hash (the row was edited)"
        elif not hmac.compare_digest(sign(key, row["row_hash"]), row["mac"]):
            problem = "signature does not match (the chain was recomputed without the audit key)"
        if problem:
            breaks.append(Break(seq, row_id, problem))
            if len(breaks) >= stop_after:
                return VerifyResult(count, seq, row["row_hash"], tuple(breaks))
        prev_hash, expected_seq = row["row_hash"], seq + 1
    return VerifyResult(count, expected_seq - 1, prev_hash, tuple(breaks))
