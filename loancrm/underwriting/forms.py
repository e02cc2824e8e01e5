"""Form input of the workbench turned into the services' values (no rules here: the services check them)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.http import QueryDict


def percent_to_rate(raw: str) -> str:
    """An annual rate typed as a percentage ("14.4") as the fraction the services take ("0.144"); unparsable input
    is passed on as typed (the service refuses it)."""
    text = (raw or "").strip().rstrip("%")
    try:
        return str((Decimal(text) / 100).normalize()) if text else ""
    except InvalidOperation:
        return text


def opinion_values(post: QueryDict) -> dict[str, Any]:
    kinds, texts = post.getlist("condition_kind"), post.getlist("condition_text")
    return {
        "recommendation": post.get("recommendation", ""),
        "amount": post.get("amount", ""),
        "annual_rate": percent_to_rate(post.get("annual_rate_pct", "")),
        "term_months": post.get("term_months", ""),
        "method": post.get("method", ""),
        "risk_points": (post.get("risk_points") or "").splitlines(),
        "conditions": [{"kind": k, "text": t} for k, t in zip(kinds, texts, strict=False)],
        "comment": post.get("comment", ""),
    }


def answers_of(post: QueryDict) -> dict[str, str]:
    return {key[len("answer_") :]: str(post.get(key)) for key in post if key.startswith("answer_") and post.get(key)}
