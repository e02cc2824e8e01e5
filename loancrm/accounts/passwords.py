"""Password rules beyond Django's: a generous maximum length (at least 64 must be allowed)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


class MinimumLengthValidator:
    """At least ``min_length`` characters (Django 5.2's own message lacks a Chinese translation)."""

    def __init__(self, min_length: int = 8):
        self.min_length = min_length

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) < self.min_length:
            raise ValidationError(
                ngettext(
                    "This password is too short. It must contain at least %(min_length)d character.",
                    "This password is too short. It must contain at least %(min_length)d characters.",
                    self.min_length,
                ),
                code="password_too_short",
                params={"min_length": self.min_length},
            )

    def get_help_text(self) -> str:
        return _("Your password must contain at least %(min_length)d characters.") % {"min_length": self.min_length}


class MaximumLengthValidator:
    """Refuse passwords longer than ``max_length`` (bounds hashing cost); no composition rules."""

    def __init__(self, max_length: int = 128):
        self.max_length = max_length

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                ngettext(
                    "This password is too long. It must contain at most %(max_length)d character.",
                    "This password is too long. It must contain at most %(max_length)d characters.",
                    self.max_length,
                ),
                code="password_too_long",
                params={"max_length": self.max_length},
            )

    def get_help_text(self) -> str:
        return _("Your password can be up to %(max_length)d characters long.") % {"max_length": self.max_length}
