"""Field encryption (AES-256-GCM with a key id in every ciphertext) and keyed blind indexes.

Invariants: a ciphertext reads ``v1:<key id>:<base64url(nonce ‖ ciphertext ‖ tag)>``, is bound to its column by
associated data (a value copied into another column does not decrypt) and decrypts with whichever configured key
its id names; new values use the active (first) key. Blind indexes are HMAC-SHA256 under a separate key that never
rotates with the field keys, so exact lookups keep working across rotations. Plaintext is never logged.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

VERSION = "v1"
NONCE_BYTES = 12


class FieldKeyError(Exception):
    """The keys are missing or malformed, or a ciphertext names an unknown key."""


class DecryptionError(Exception):
    """A ciphertext was altered, moved to another column, or encrypted under another key set."""


@dataclass(frozen=True)
class KeyRing:
    active: str
    keys: dict[str, bytes]
    blind_index_key: bytes


def parse_keys(spec: str) -> tuple[str, dict[str, bytes]]:
    """``kid:base64key,kid2:base64key`` → (active kid, {kid: 32-byte key}); the first key is active."""
    keys: dict[str, bytes] = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        kid, _sep, encoded = item.partition(":")
        if not kid or not encoded or not kid.isalnum():
            raise FieldKeyError("each key is kid:base64 with an alphanumeric kid")
        key = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        if len(key) != 32:
            raise FieldKeyError(f"key {kid} must be 32 bytes (AES-256)")
        keys[kid] = key
    if not keys:
        raise FieldKeyError("no field-encryption key configured")
    return next(iter(keys)), keys


def new_key_spec(kid: str) -> str:
    """A fresh ``kid:base64key`` entry for FIELD_ENCRYPTION_KEYS."""
    return f"{kid}:{base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip('=')}"


@cache
def key_ring() -> KeyRing:
    from django.conf import settings

    active, keys = parse_keys(settings.FIELD_ENCRYPTION_KEYS)
    blind = str(settings.BLIND_INDEX_KEY).encode()
    if len(blind) < 32:
        raise FieldKeyError("BLIND_INDEX_KEY must be at least 32 characters")
    return KeyRing(active, keys, blind)


def reset_key_ring() -> None:
    """Forget cached keys (after settings change, e.g. in tests or a rotation)."""
    key_ring.cache_clear()


def encrypt(plaintext: str, aad: str, ring: KeyRing | None = None) -> str:
    ring = ring or key_ring()
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(ring.keys[ring.active]).encrypt(nonce, plaintext.encode(), aad.encode())
    return f"{VERSION}:{ring.active}:{base64.urlsafe_b64encode(nonce + sealed).decode().rstrip('=')}"


def key_id_of(token: str) -> str:
    version, _sep, rest = token.partition(":")
    if version != VERSION:
        raise DecryptionError("not a loancrm ciphertext")
    return rest.partition(":")[0]


def decrypt(token: str, aad: str, ring: KeyRing | None = None) -> str:
    ring = ring or key_ring()
    kid = key_id_of(token)
    if kid not in ring.keys:
        raise FieldKeyError(f"ciphertext uses key {kid}, which is not configured")
    payload = token.split(":", 2)[2]
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    try:
        return AESGCM(ring.keys[kid]).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], aad.encode()).decode()
    except InvalidTag:
        raise DecryptionError("ciphertext failed authentication") from None


def blind_index(purpose: str, normalised: str, ring: KeyRing | None = None) -> str:
    """Deterministic keyed digest of an already normalised value, separated by purpose."""
    ring = ring or key_ring()
    return hmac.new(ring.blind_index_key, f"{purpose}\x00{normalised}".encode(), hashlib.sha256).hexdigest()
