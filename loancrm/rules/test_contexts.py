"""Where the rule-set test panel gets a context from: today named sample profiles, later also real applications.

``available_contexts(user)`` lists ``(key, label)`` pairs the user may choose from; ``context_for(key, user=...)``
gives the full context of one (every ``context.FIELDS`` name) or raises ``KeyError`` for a key the user may not
use. Another source (recent applications, keyed ``"application:<id>"`` say) plugs in by adding its entries to both
functions, scoped to the user; the panel and its view do not change. Decisioning registers such a source
(``register_source``): the contexts of recent decisions, for users who may see decisions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext_lazy as _

from loancrm.rules.context import sample_context

# key → (label, the values that differ from the documented samples)
PROFILES: dict[str, tuple[Any, dict[str, Any]]] = {
    "good": (_("Good applicant"), {}),
    "high_dti": (_("High debt-to-income"), {"debt_to_income": 0.72, "outstanding_debt": 380000.0}),
    "blacklisted": (_("Blacklisted"), {"blacklist_hit": True}),
    "court": (_("Court enforcement record"), {"court_records": 1}),
    "multi_lending": (_("Many recent lenders"), {"multi_lending_count_3m": 6, "multi_lending_count_6m": 9}),
    "thin_file": (
        _("Young, short employment, many inquiries"),
        {"age": 19, "employment_years": 0.5, "inquiries_1m": 5, "inquiries_3m": 8, "inquiries_6m": 11},
    ),
    "overdue": (_("Currently overdue"), {"overdue_accounts": 2, "max_overdue_months": 4}),
}


# A source gives, for a user, (key, label, full context) triples; keys must not collide with PROFILES.
Source = Callable[[Any], list[tuple[str, str, dict[str, Any]]]]
_sources: list[Source] = []


def register_source(source: Source) -> None:
    if source not in _sources:
        _sources.append(source)


def _extra(user: Any) -> list[tuple[str, str, dict[str, Any]]]:
    return [entry for source in list(_sources) for entry in source(user)]


def available_contexts(user: Any) -> list[tuple[str, str]]:
    """The contexts ``user`` may load into the test panel, as (key, label) in display order."""
    profiles = [(key, str(label)) for key, (label, _values) in PROFILES.items()]
    return profiles + [(key, label) for key, label, _context in _extra(user)]


def context_for(key: str, user: Any = None) -> dict[str, Any]:
    """The full context of ``key`` (a fresh dict); ``KeyError`` when there is no such context for ``user``."""
    if key in PROFILES:
        _label, values = PROFILES[key]
        return {**sample_context(), **values}
    for found, _label, context in _extra(user):
        if found == key:
            return {**sample_context(), **context}
    raise KeyError(key)
