"""API token secrets: generation and digesting. The secret is shown once and only its digest is stored."""

from __future__ import annotations

import hashlib
import secrets

TOKEN_PREFIX = "lcrm"  # noqa: S105 (a public marker, not a secret)


def new_token_secret() -> tuple[str, str]:
    """Return ``(token, lookup_prefix)``; the token reads ``lcrm_<8 hex>_<43 url-safe chars>``."""
    prefix = secrets.token_hex(4)
    return f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}", prefix


def token_digest(token: str) -> str:
    """SHA-256 hex digest; tokens carry 256 random bits, so a fast hash is safe here."""
    return hashlib.sha256(token.encode()).hexdigest()
