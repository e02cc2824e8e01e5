"""Session time-outs: an idle limit and an absolute limit, plus the forced password change.

Invariants: a session older than SESSION_ABSOLUTE_TIMEOUT_SECONDS or idle longer than
SESSION_IDLE_TIMEOUT_SECONDS is flushed before the view runs; page requests are sent to the login page,
htmx and API requests get 401.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

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
        return self.get_response(request)

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
