"""Lead statuses: the pipeline stage and the validity verdict of the pre-filter."""

import re

from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    NEW = "new", _("New")
    CONTACTED = "contacted", _("Contacted")
    INTERESTED = "interested", _("Interested")
    PREPARING = "preparing", _("Preparing documents")
    APPLIED = "applied", _("Application submitted")
    REJECTED = "rejected", _("Rejected")
    DISBURSED = "disbursed", _("Disbursed")


CLOSED_STAGES = (Stage.REJECTED, Stage.DISBURSED)  # the pipeline ended: no follow-up, nothing in progress

STAGE_TRANSITIONS: dict[str, set[str]] = {
    Stage.NEW: {Stage.CONTACTED, Stage.REJECTED},
    Stage.CONTACTED: {Stage.INTERESTED, Stage.REJECTED},
    Stage.INTERESTED: {Stage.PREPARING, Stage.APPLIED, Stage.REJECTED},
    Stage.PREPARING: {Stage.APPLIED, Stage.REJECTED},
    Stage.APPLIED: {Stage.REJECTED, Stage.DISBURSED},
    Stage.REJECTED: set(),
    Stage.DISBURSED: set(),
}


class Validity(models.TextChoices):
    VALID = "valid", _("Valid")
    INVALID = "invalid", _("Invalid")


class IntakeOutcome(models.TextChoices):
    CREATED = "created", _("Created")
    DUPLICATE = "duplicate", _("Duplicate")
    INVALID = "invalid", _("Invalid")


_REASONS = [
    (re.compile(r"channel blocked"), _("The channel is blocked")),
    (re.compile(r"born after the business date"), _("Born after the business date")),
    (re.compile(r"age (?P<age>-?\d+) outside (?P<min>\d+)-(?P<max>\d+)"), _("Age %(age)s is outside %(min)s–%(max)s")),
    (re.compile(r"province (?P<code>\d+) not served"), _("Province %(code)s is not served")),
]


def prefilter_label(reason: str) -> str:
    """The pre-filter's stored reason phrase (stable, English, see ``leads.prefilter``) in the active language."""
    for shape, label in _REASONS:
        if found := shape.fullmatch(reason):
            return str(label) % found.groupdict() if found.groupdict() else str(label)
    return reason
