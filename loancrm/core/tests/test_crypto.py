"""AES-GCM field encryption with key ids, column binding and blind indexes."""

from __future__ import annotations

import pytest

from loancrm.core.crypto import (
    DecryptionError,
    FieldKeyError,
    KeyRing,
    blind_index,
    decrypt,
    encrypt,
    key_id_of,
    new_key_spec,
    parse_keys,
)

OLD = new_key_spec("k1")
NEW = new_key_spec("k2")


def ring(spec: str) -> KeyRing:
    active, keys = parse_keys(spec)
    return KeyRing(active, keys, b"b" * 32)


def test_round_trip_with_key_id_and_random_nonce():
    r = ring(OLD)
    a, b = (
        encrypt("11010519491231002X", "customers.customer.id_number", r),
        encrypt("11010519491231002X", "customers.customer.id_number", r),
    )
    assert a != b and a.startswith("v1:k1:") and "11010519491231002X" not in a
    assert decrypt(a, "customers.customer.id_number", r) == "11010519491231002X"


def test_old_keys_still_decrypt_after_a_new_key_becomes_active():
    token = encrypt("13812345678", "x.y.mobile", ring(OLD))
    rotated = ring(f"{NEW},{OLD}")
    assert rotated.active == "k2" and decrypt(token, "x.y.mobile", rotated) == "13812345678"
    assert key_id_of(encrypt("13812345678", "x.y.mobile", rotated)) == "k2"


def test_a_value_moved_to_another_column_or_altered_does_not_decrypt():
    r = ring(OLD)
    token = encrypt("13812345678", "x.y.mobile", r)
    with pytest.raises(DecryptionError):
        decrypt(token, "x.y.emergency_mobile", r)
    tampered = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    with pytest.raises(DecryptionError):
        decrypt(tampered, "x.y.mobile", r)


def test_unknown_key_and_bad_specs_are_refused():
    token = encrypt("secret", "a.b.c", ring(NEW))
    with pytest.raises(FieldKeyError):
        decrypt(token, "a.b.c", ring(OLD))
    for spec in ["", "k1", "k1:c2hvcnQ", "bad-kid:" + OLD.split(":")[1]]:
        with pytest.raises(FieldKeyError):
            parse_keys(spec)


def test_blind_index_is_deterministic_keyed_and_purpose_bound():
    r = ring(OLD)
    assert blind_index("a.id", "110", r) == blind_index("a.id", "110", r)
    assert blind_index("a.id", "110", r) != blind_index("a.mobile", "110", r)
    other = KeyRing(r.active, r.keys, b"c" * 32)
    assert blind_index("a.id", "110", r) != blind_index("a.id", "110", other)
    assert len(blind_index("a.id", "110", r)) == 64
