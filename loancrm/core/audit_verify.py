"""Verify the whole audit trail: the chain, the signed head and every signed checkpoint.

Invariants checked: rows 1..N form an unbroken, correctly signed chain; the head names row N with its hash;
every checkpoint is correctly signed and names a row that still exists with the same hash (so truncating the
newest rows is caught even if the head was rewound).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field

from loancrm.core.audit import audit_key, checkpoint_mac, head_mac
from loancrm.core.audit_chain import FIELDS, Break, verify_chain

CHUNK = 5_000


@dataclass
class AuditReport:
    rows: int = 0
    last_seq: int = 0
    checkpoints: int = 0
    problems: list[Break] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_audit_trail() -> AuditReport:
    from loancrm.core.models import AuditChainHead, AuditCheckpoint, AuditEvent

    columns = ("id", *FIELDS, "prev_hash", "row_hash", "mac")
    rows = AuditEvent.objects.order_by("seq").values(*columns).iterator(chunk_size=CHUNK)
    result = verify_chain(rows, audit_key())
    report = AuditReport(rows=result.rows, last_seq=result.last_seq, problems=list(result.breaks))
    if not report.ok:
        return report
    head = AuditChainHead.objects.filter(singleton=1).first()
    if head is not None:
        if not hmac.compare_digest(head.mac, head_mac(head.seq, head.row_hash)):
            report.problems.append(Break(head.seq, None, "the chain head's signature does not match"))
        elif head.seq != result.last_seq or head.row_hash != result.last_hash:
            report.problems.append(
                Break(result.last_seq + 1, None, f"rows after #{result.last_seq} are missing (head is #{head.seq})")
            )
    hashes = dict(AuditEvent.objects.values_list("seq", "row_hash").filter(
        seq__in=AuditCheckpoint.objects.values("seq")
    ))  # fmt: skip
    for checkpoint in AuditCheckpoint.objects.order_by("seq"):
        report.checkpoints += 1
        if not hmac.compare_digest(
            checkpoint.mac, checkpoint_mac(checkpoint.seq, checkpoint.row_hash, checkpoint.created_at)
        ):
            report.problems.append(Break(checkpoint.seq, None, "a checkpoint's signature does not match"))
        elif hashes.get(checkpoint.seq) != checkpoint.row_hash:
            report.problems.append(
                Break(checkpoint.seq, None, f"row #{checkpoint.seq} signed in a checkpoint is missing or changed")
            )
    return report
