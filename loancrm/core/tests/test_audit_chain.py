"""The tamper-evident audit trail: chain, triggers, signed head and checkpoints, and audit_verify."""

from __future__ import annotations

import threading

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, connections, transaction

from loancrm.core.audit import audit_checkpoint, audit_event
from loancrm.core.audit_chain import GENESIS, canonical, chain_hash, verify_chain
from loancrm.core.audit_triggers import UNLOCK_TABLE
from loancrm.core.audit_verify import verify_audit_trail
from loancrm.core.models import AuditChainHead, AuditCheckpoint, AuditEvent


def sql(statement: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])


def tamper(statement: str, params: list | None = None) -> None:
    """What someone with database access who bypasses the triggers could do."""
    sql(statement, params)


@pytest.fixture
def events(db):
    for i in range(1, 11):
        audit_event(None, "test.event", None, {"i": i, "amount": "8606.64", "name": "张三"})
    return AuditEvent.objects.order_by("seq")


def verify_command() -> tuple[int, str]:
    from io import StringIO

    out, err = StringIO(), StringIO()
    try:
        call_command("audit_verify", stdout=out, stderr=err)
    except SystemExit as exit_:
        return int(exit_.code or 0), err.getvalue()
    return 0, out.getvalue()


def test_rows_are_chained_and_signed(events):
    first, second = events[0], events[1]
    assert (first.seq, first.prev_hash) == (1, GENESIS)
    assert second.prev_hash == first.row_hash
    assert AuditChainHead.objects.get().seq == 10
    code, output = verify_command()
    assert code == 0 and "10 events" in output


def test_canonical_content_is_stable_json():
    row = {
        "seq": 1,
        "created_at": None,
        "actor_id": None,
        "actor_repr": "系统",
        "action": "a",
        "target_type": "",
        "target_id": "",
        "target_repr": "",
        "data": {"b": 1, "a": "二"},
        "ip": None,
        "user_agent": "",
    }
    assert canonical(row).startswith(b'{"action":"a","actor_id":null,"actor_repr":"') and "系统".encode() in canonical(
        row
    )
    assert chain_hash(GENESIS, row) == chain_hash(GENESIS, dict(reversed(list(row.items()))))


@pytest.mark.parametrize(
    ("attack", "broken_seq", "reason"),
    [
        ("UPDATE core_auditevent SET action = 'x' WHERE seq = 4", 4, "edited"),
        ("UPDATE core_auditevent SET data = '{\"i\": 999}' WHERE seq = 5", 5, "edited"),
        ("DELETE FROM core_auditevent WHERE seq = 6", 7, "gap"),
        ("UPDATE core_auditevent SET seq = seq + 100 WHERE seq = 3", 4, "gap"),
    ],
)
def test_verify_names_the_first_broken_row(events, attack, broken_seq, reason):
    tamper(attack)
    report = verify_audit_trail()
    assert not report.ok and report.problems[0].seq == broken_seq
    code, output = verify_command()
    assert code == 1 and f"BROKEN at #{broken_seq}" in output


def test_an_inserted_forged_row_is_caught(events):
    last = events.last()
    tamper(
        "INSERT INTO core_auditevent (chain, seq, created_at, actor_repr, action, target_type, target_id, target_repr,"
        " data, user_agent, prev_hash, row_hash, mac)"
        " VALUES (1, 11, %s, 'mallory', 'forged', '', '', '', '{}', '', %s, %s, %s)",
        [last.created_at, last.row_hash, "f" * 64, "0" * 64],
    )
    report = verify_audit_trail()
    assert report.problems[0].seq == 11


def test_a_chain_recomputed_without_the_key_is_caught(events, settings):
    settings.AUDIT_HMAC_KEY = "attacker-guess"
    audit_event(None, "forged.with.wrong.key")
    settings.AUDIT_HMAC_KEY = "restored"
    report = verify_audit_trail()
    assert not report.ok


def test_truncating_the_newest_rows_is_caught_by_the_head(events):
    tamper("DELETE FROM core_auditevent WHERE seq > 8")
    report = verify_audit_trail()
    assert "missing" in report.problems[0].reason and report.problems[0].seq == 9


def test_truncation_with_a_rewound_head_is_caught_by_a_checkpoint(events):
    audit_checkpoint()
    head_row = AuditEvent.objects.get(seq=7)
    tamper("DELETE FROM core_auditevent WHERE seq > 7")
    from loancrm.core.audit import head_mac

    tamper(
        "UPDATE core_auditchainhead SET seq = 7, row_hash = %s, mac = %s",
        [head_row.row_hash, head_mac(7, head_row.row_hash)],
    )
    report = verify_audit_trail()
    assert not report.ok and "checkpoint" in report.problems[0].reason


def test_checkpoints_are_written_only_when_the_chain_moved(events):
    assert len(audit_checkpoint()) == 1
    assert audit_checkpoint() == []
    audit_event(None, "more")
    assert [(c.chain, c.seq) for c in audit_checkpoint()] == [(1, 11)]
    assert verify_audit_trail().checkpoints == 2


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE core_auditevent SET action = 'x'",
        "DELETE FROM core_auditevent",
        "UPDATE core_auditcheckpoint SET seq = 1",
        "DELETE FROM core_auditcheckpoint",
    ],
)
def test_triggers_refuse_update_and_delete(events, statement):
    audit_checkpoint()
    sql(f"DROP TABLE {UNLOCK_TABLE}")  # rolled back with the test's transaction
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        sql(statement)
    assert AuditEvent.objects.count() == 10 and AuditCheckpoint.objects.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE triggers exist on PostgreSQL")
def test_truncate_is_refused_on_postgresql(events):
    sql("SET CONSTRAINTS ALL IMMEDIATE")
    sql(f"DROP TABLE {UNLOCK_TABLE}")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        sql("TRUNCATE core_auditevent CASCADE")


def test_the_orm_refuses_edits(events):
    event = events.first()
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()


def test_a_lost_head_is_rebuilt_from_the_newest_row(events):
    tamper("DELETE FROM core_auditchainhead")
    audit_event(None, "after.head.loss")
    assert AuditChainHead.objects.get().seq == 11
    assert verify_audit_trail().ok


def test_verify_chain_on_plain_rows():
    key = b"k"
    from loancrm.core.audit_chain import sign

    rows, prev = [], GENESIS
    for seq in (1, 2, 3):
        row = {
            "seq": seq,
            "created_at": None,
            "actor_id": None,
            "actor_repr": "",
            "action": str(seq),
            "target_type": "",
            "target_id": "",
            "target_repr": "",
            "data": {},
            "ip": None,
            "user_agent": "",
        }
        row_hash = chain_hash(prev, row)
        rows.append({**row, "prev_hash": prev, "row_hash": row_hash, "mac": sign(key, row_hash)})
        prev = row_hash
    assert verify_chain(rows, key).ok
    assert verify_chain([rows[0], rows[2]], key).breaks[0].seq == 3
    assert verify_chain(rows, b"other").breaks[0].seq == 1


def _write_in_parallel(writers: int, per_writer: int) -> None:
    barrier = threading.Barrier(writers)

    def write(n: int) -> None:
        try:
            barrier.wait()
            for i in range(per_writer):
                with transaction.atomic():
                    audit_event(None, "parallel", None, {"writer": n, "i": i})
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel transactions are a PostgreSQL test")
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_spread_over_valid_chains(settings):
    """Given 8 writers at once, when each links 25 events, then every chain is gap-free and verifies, the events
    sit in more than one chain (writers did not queue on one head) and no more than AUDIT_CHAINS of them."""
    settings.AUDIT_CHAINS = 4
    writers, per_writer = 8, 25
    _write_in_parallel(writers, per_writer)
    report = verify_audit_trail()
    assert report.ok and report.rows == writers * per_writer
    by_chain: dict[int, list[int]] = {}
    for chain, seq in AuditEvent.objects.values_list("chain", "seq"):
        by_chain.setdefault(chain, []).append(seq)
    assert 1 < len(by_chain) <= 4 and report.chains == len(by_chain)
    assert all(sorted(seqs) == list(range(1, len(seqs) + 1)) for seqs in by_chain.values())
    assert AuditChainHead.objects.count() == len(by_chain)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel transactions are a PostgreSQL test")
@pytest.mark.django_db(transaction=True)
def test_tampering_in_a_second_chain_is_caught():
    _write_in_parallel(8, 10)
    chain = AuditEvent.objects.exclude(chain=1).values_list("chain", flat=True).first()
    assert chain is not None
    audit_checkpoint()
    assert verify_audit_trail().ok
    tamper("DELETE FROM core_auditevent WHERE chain = %s AND seq = 2", [chain])
    report = verify_audit_trail()
    assert not report.ok and f"chain {chain}" in report.problems[0].reason and report.problems[0].seq == 3
