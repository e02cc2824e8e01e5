"""Sidebar navigation assembled from each app's ``nav.py``.

An app declares ``NAV_ITEMS`` (a list of :class:`NavItem`); the sidebar shows an item only when the
user holds its permission, so every role sees exactly the modules it may use.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.urls import NoReverseMatch, reverse

from loancrm.core.discovery import app_modules


@dataclass(frozen=True)
class NavItem:
    """One sidebar link. ``permissions``: the user needs any one of them (empty: every signed-in user)."""

    key: str
    label: Any
    url_name: str
    icon: str
    section: Any
    order: int = 100
    permissions: tuple[str, ...] = ()
    visible: Callable[[Any], bool] | None = field(default=None, compare=False)

    def allowed(self, user: Any) -> bool:
        if self.visible is not None and not self.visible(user):
            return False
        return not self.permissions or any(user.has_perm(p) for p in self.permissions)


@dataclass(frozen=True)
class WorkQueue:
    """A home-page card: a count of items waiting for the user, linking to the list that holds them."""

    key: str
    label: Any
    url_name: str
    count: Callable[[Any], int]
    permissions: tuple[str, ...] = ()
    icon: str = "inbox"
    query: str = ""

    def allowed(self, user: Any) -> bool:
        return not self.permissions or any(user.has_perm(p) for p in self.permissions)


@cache
def _collect(attribute: str) -> tuple[Any, ...]:
    found: list[Any] = []
    for _config, module in app_modules("nav"):
        found.extend(getattr(module, attribute, []))
    return tuple(sorted(found, key=lambda item: getattr(item, "order", 100)))


def nav_for(user: Any, current_path: str = "") -> list[dict[str, Any]]:
    """Sections with the items ``user`` may open, marking the one whose address is the longest prefix of
    ``current_path`` (on /leads/funnel/ the funnel item, not the lead list)."""
    sections: dict[str, dict[str, Any]] = {}
    entries: list[dict[str, Any]] = []
    for item in _collect("NAV_ITEMS"):
        if not item.allowed(user):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        section = sections.setdefault(str(item.section), {"label": item.section, "items": []})
        entry = {"key": item.key, "label": item.label, "url": url, "icon": item.icon, "active": False}
        section["items"].append(entry)
        if (url != "/" and current_path.startswith(url)) or url == current_path:
            entries.append(entry)
    if entries:
        max(entries, key=lambda entry: len(entry["url"]))["active"] = True
    return list(sections.values())


def work_queues_for(user: Any) -> list[dict[str, Any]]:
    """The home-page queues ``user`` may see, with their current counts."""
    return [
        {
            "key": q.key,
            "label": q.label,
            "url": reverse(q.url_name) + (f"?{q.query}" if q.query else ""),
            "count": q.count(user),
            "icon": q.icon,
        }
        for q in _collect("WORK_QUEUES")
        if q.allowed(user)
    ]
