"""Session time-outs: an idle limit and an absolute limit, plus the forced password change.

Invariants: a session older than SESSION_ABSOLUTE_TIMEOUT_SECONDS or idle longer than
SESSION_IDLE_TIMEOUT_SECONDS is flushed before the view runs; page requests are sent to the login page,
htmx and API requests get 401.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

TWO_FACTOR_OK = "_loancrm_2fa_ok"
LOGIN_AT = "_loancrm_login_at"
LAST_SEEN = "_loancrm_last_seen"
TOUCH_EVERY_SECONDS = 30


class SessionTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not hasattr(request, "api_token"):
            now = int(time.time())
            login_at = request.session.get(LOGIN_AT, now)
            last_seen = request.session.get(LAST_SEEN, now)
            if (
                now - login_at > settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS
                or now - last_seen > settings.SESSION_IDLE_TIMEOUT_SECONDS
            ):
                logout(request)
                return self._expired(request)
            if now - last_seen >= TOUCH_EVERY_SECONDS or LAST_SEEN not in request.session:
                request.session[LAST_SEEN] = now
                request.session.setdefault(LOGIN_AT, now)
            if user.must_change_password and not self._exempt(request):
                return redirect("accounts:password_change")
            redirect_to = self._two_factor(request, user)
            if redirect_to is not None:
                return redirect_to
        return self.get_response(request)

    def _two_factor(self, request: HttpRequest, user: Any) -> HttpResponse | None:
        """Enrolment is forced when the role requires it; a device-holder's session must have passed the code."""
        from loancrm.accounts import two_factor

        if request.session.get(TWO_FACTOR_OK) or request.session.get(two_factor.VERIFIED):
            return None
        if two_factor.has_device(user):
            logout(request)
            return self._expired(request)
        if two_factor.must_enrol(user):
            allowed = (reverse("accounts:two_factor_setup"), reverse("accounts:logout"), "/i18n/", settings.STATIC_URL)
            if request.path.startswith(allowed):
                return None
            if request.path.startswith("/api/") or request.headers.get("HX-Request") == "true":
                message = _("Set up two-factor sign-in first.")
                return JsonResponse({"code": "two_factor_required", "message": message, "fields": {}}, status=403)
            return redirect("accounts:two_factor_setup")
        request.session[TWO_FACTOR_OK] = True
        return None

    @staticmethod
    def _exempt(request: HttpRequest) -> bool:
        allowed = (reverse("accounts:password_change"), reverse("accounts:logout"), "/i18n/", settings.STATIC_URL)
        return request.path.startswith(allowed) or request.path.startswith("/api/")

    @staticmethod
    def _expired(request: HttpRequest) -> HttpResponse:
        message = _("Your session has expired. Please sign in again.")
        if request.path.startswith("/api/") or request.headers.get("HX-Request") == "true":
            return JsonResponse({"code": "session_expired", "message": message, "fields": {}}, status=401)
        messages.info(request, message)
        return redirect(f"{reverse(settings.LOGIN_URL)}?next={request.path}")
