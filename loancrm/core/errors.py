"""Domain errors with stable codes.

Every refusal a service makes is a ``DomainError`` subclass. ``code`` is stable (clients branch on it),
``message`` is translatable (Chinese by default), ``status`` is the HTTP status the API and the UI use,
``fields`` maps form fields to their messages. Raising one inside ``transaction.atomic`` rolls back the
whole write, so a refused action leaves nothing behind.
"""

from __future__ import annotations

from typing import Any

from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """Base class: a business rule refused the action."""

    code = "domain_error"
    status = 400
    default_message: Any = _("The request could not be completed.")

    def __init__(self, message: Any = None, *, fields: dict[str, Any] | None = None, code: str | None = None):
        self.message = message if message is not None else self.default_message
        self.fields = fields or {}
        if code:
            self.code = code
        super().__init__(force_str(self.message))

    def summary(self) -> str:
        """One line for a flash message: the field messages, or the general message when there are none."""
        details = [force_str(m) for msgs in self.fields.values() for m in _as_list(msgs)]
        return " ".join(details) if details else force_str(self.message)

    def as_dict(self) -> dict[str, Any]:
        """The one error shape of the API: ``{"code", "message", "fields"}`` with messages rendered."""
        return {
            "code": self.code,
            "message": force_str(self.message),
            "fields": {name: [force_str(m) for m in _as_list(msgs)] for name, msgs in self.fields.items()},
        }


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, (list, tuple)) else [value]


class ValidationFailed(DomainError):
    code = "validation_error"
    status = 400
    default_message = _("Some fields are invalid.")


class NotFound(DomainError):
    """Not found and not yours look the same (no existence oracle)."""

    code = "not_found"
    status = 404
    default_message = _("Not found.")


class PermissionDenied(DomainError):
    code = "permission_denied"
    status = 403
    default_message = _("You do not have permission to do this.")


class Conflict(DomainError):
    code = "conflict"
    status = 409
    default_message = _("The record changed or already exists.")


class InvalidTransition(DomainError):
    code = "invalid_transition"
    status = 409
    default_message = _("This action is not allowed in the current status.")


class RateLimited(DomainError):
    code = "rate_limited"
    status = 429
    default_message = _("Too many requests. Please try again later.")
