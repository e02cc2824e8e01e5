"""Lead statuses: the pipeline stage and the validity verdict of the pre-filter."""

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
