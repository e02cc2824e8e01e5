"""Template context for the application shell (navigation, business date, languages)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from loancrm.core.navigation import nav_for


def shell(request: HttpRequest) -> dict[str, Any]:
    """Navigation and business date for signed-in pages; nothing for anonymous visitors."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from loancrm.core.business_date import current_business_date
    from loancrm.core.notifications import unread_count

    return {
        "nav_sections": nav_for(user, request.path),
        "business_date": current_business_date(),
        "unread_notifications": unread_count(user),
    }
