"""Language choice: pages are Chinese unless the user picked English; the API follows Accept-Language.

Staff browsers are often set to English while the business runs in Chinese, so pages ignore the browser's
Accept-Language and use the language cookie set by the switch (default zh-Hans). API clients choose per
request with ``Accept-Language: en``.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class PageLanguageMiddleware:
    """Runs before LocaleMiddleware and hides Accept-Language from it on non-API paths."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/"):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
