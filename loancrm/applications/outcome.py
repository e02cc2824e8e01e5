"""What an applicant is told about an application: the decision outcome (from decisioning, when registered) and a
plain-language result for each status."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext_lazy as _

from loancrm.applications.choices import Status
from loancrm.applications.models import Application

# Decisioning registers a provider: ``provider(application) -> {"outcome": ..., "reasons": [...]} | None``.
_providers: list[Callable[[Application], dict[str, Any] | None]] = []


def register_decision_provider(provider: Callable[[Application], dict[str, Any] | None]) -> None:
    if provider not in _providers:
        _providers.append(provider)


def decision_outcome(application: Application) -> dict[str, Any] | None:
    """The automated decision's outcome as the API shows it, None before a decision (or without decisioning)."""
    for provider in list(_providers):
        found = provider(application)
        if found is not None:
            return found
    return None


PLAIN_RESULTS: dict[str, Any] = {
    Status.DRAFT: _("Not submitted yet. You can continue and submit it when everything is filled in."),
    Status.SUBMITTED: _("Submitted. We are checking your application; this usually takes a few minutes."),
    Status.PRE_SCREENING: _("We are checking your application; this usually takes a few minutes."),
    Status.MANUAL_REVIEW: _("Your application passed the first check and is now with a credit reviewer."),
    Status.AUTO_APPROVED: _(
        "Good news: your application has been pre-approved. We will contact you about the next steps."
    ),
    Status.REJECTED: _("We are sorry: we cannot offer you a loan at this time."),
    Status.WITHDRAWN: _("This application was withdrawn."),
}


def plain_result(application: Application) -> Any:
    return PLAIN_RESULTS.get(application.status, "")
