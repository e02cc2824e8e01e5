"""Tabs on the application page for the later stages (credit review, approval, contract, disbursement).

Each stage registers a function ``(application, user) -> (label, url) | None`` in its AppConfig.ready; ``None``
hides the tab (no record yet, or no permission). The target pages check scope themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Link = tuple[Any, str]
LinkFor = Callable[[Any, Any], Link | None]

_links: list[LinkFor] = []


def register(link_for: LinkFor) -> None:
    if link_for not in _links:
        _links.append(link_for)


def links_for(application: Any, user: Any) -> list[Link]:
    return [link for fn in list(_links) if (link := fn(application, user)) is not None]
