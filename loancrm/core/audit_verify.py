"""Verify the whole audit trail: the chain, the signed head and every signed checkpoint.

Invariants checked, chain by chain: rows 1..N form an unbroken, correctly signed chain; the head names row N with
its hash; every checkpoint is correctly signed and names a row that still exists with the same hash (so truncating
the newest rows is caught even if the head was rewound).
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
    chains: int = 0
    checkpoints: int = 0
    problems: list[Break] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_audit_trail() -> AuditReport:
    from loancrm.core.models import AuditChainHead, AuditEvent

    report = AuditReport()
    chains = set(AuditEvent.objects.values_list("chain", flat=True).distinct())
    chains |= set(AuditChainHead.objects.values_list("chain", flat=True))
    for chain in sorted(chains):
        report.chains += 1
        _verify_chain(chain, report)
        if not report.ok:
            break
    return report


def _verify_chain(chain: int, report: AuditReport) -> None:
    from loancrm.core.models import AuditChainHead, AuditCheckpoint, AuditEvent

    columns = ("id", *FIELDS, "prev_hash", "row_hash", "mac")
    rows = AuditEvent.objects.filter(chain=chain).order_by("seq").values(*columns).iterator(chunk_size=CHUNK)
    result = verify_chain(rows, audit_key())
    report.rows += result.rows
    label = "" if chain == 1 else f"chain {chain}: "
    report.problems += [Break(b.seq, b.row_id, label + b.reason) for b in result.breaks]
    if not report.ok:
        return
    head = AuditChainHead.objects.filter(chain=chain).first()
    if head is not None:
        if not hmac.compare_digest(head.mac, head_mac(head.seq, head.row_hash, chain)):
            report.problems.append(Break(head.seq, None, label + "the chain head's signature does not match"))
        elif head.seq != result.last_seq or head.row_hash != result.last_hash:
            missing = f"rows after #{result.last_seq} are missing (head is #{head.seq})"
            report.problems.append(Break(result.last_seq + 1, None, label + missing))
    checkpoints = AuditCheckpoint.objects.filter(chain=chain)
    hashes = dict(AuditEvent.objects.filter(chain=chain, seq__in=checkpoints.values("seq")).values_list(
        "seq", "row_hash"
    ))  # fmt: skip
    for checkpoint in checkpoints.order_by("seq"):
        report.checkpoints += 1
        if not hmac.compare_digest(
            checkpoint.mac, checkpoint_mac(checkpoint.seq, checkpoint.row_hash, checkpoint.created_at, chain)
        ):
            report.problems.append(Break(checkpoint.seq, None, label + "a checkpoint's signature does not match"))
        elif hashes.get(checkpoint.seq) != checkpoint.row_hash:
            changed = f"row #{checkpoint.seq} signed in a checkpoint is missing or changed"
            report.problems.append(Break(checkpoint.seq, None, label + changed))
