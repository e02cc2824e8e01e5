"""Authentication backend: Django's model backend restricted to active, non-partner accounts."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from loancrm.accounts.choices import UserKind


class LockoutModelBackend(ModelBackend):
    """Username + password for staff; partner and system accounts sign in with API tokens only.

    Lockout and throttling live in ``accounts.services.login_attempt`` so every failure is counted
    whether or not the username exists.
    """

    def user_can_authenticate(self, user: Any) -> bool:
        return bool(super().user_can_authenticate(user)) and getattr(user, "kind", UserKind.STAFF) == UserKind.STAFF
