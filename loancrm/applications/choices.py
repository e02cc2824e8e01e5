"""Application statuses (with the transition table), channels and the applicant's declared categories.

Later stages (credit review, approval, contract, disbursement) extend ``Status`` and ``STATUS_TRANSITIONS`` in #8;
a status changes only through ``applications.services``, along this table.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Status(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("application status", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("application status", "Submitted")
    PRE_SCREENING = "pre_screening", pgettext_lazy("application status", "Pre-screening")
    MANUAL_REVIEW = "manual_review", pgettext_lazy("application status", "Manual review")
    AUTO_APPROVED = "auto_approved", pgettext_lazy("application status", "Auto-approved")
    REJECTED = "rejected", pgettext_lazy("application status", "Rejected")
    WITHDRAWN = "withdrawn", pgettext_lazy("application status", "Withdrawn")


STATUS_TRANSITIONS: dict[str, set[str]] = {
    Status.DRAFT: {Status.SUBMITTED, Status.WITHDRAWN},
    Status.SUBMITTED: {Status.PRE_SCREENING, Status.WITHDRAWN},
    Status.PRE_SCREENING: {Status.MANUAL_REVIEW, Status.AUTO_APPROVED, Status.REJECTED},
    Status.MANUAL_REVIEW: {Status.REJECTED, Status.WITHDRAWN},
    Status.AUTO_APPROVED: {Status.WITHDRAWN},
    Status.REJECTED: set(),
    Status.WITHDRAWN: set(),
}
EDITABLE = (Status.DRAFT,)
OPEN = (Status.DRAFT, Status.SUBMITTED, Status.PRE_SCREENING, Status.MANUAL_REVIEW, Status.AUTO_APPROVED)
DECIDED = (Status.MANUAL_REVIEW, Status.AUTO_APPROVED, Status.REJECTED)


class Channel(models.TextChoices):
    H5 = "h5", _("Customer self-service (H5)")
    BRANCH = "branch", _("Agent-assisted")
    PARTNER = "partner", _("Channel partner (API)")


class Purpose(models.TextChoices):
    CONSUMPTION = "consumption", _("Daily consumption")
    DECORATION = "decoration", _("Home decoration")
    EDUCATION = "education", _("Education")
    TRAVEL = "travel", _("Travel")
    MEDICAL = "medical", _("Medical")
    CAR = "car", _("Car purchase")
    BUSINESS = "business", _("Business operation")
    OTHER = "other", _("Other")


class Housing(models.TextChoices):
    OWNED = "owned", _("Own home")
    MORTGAGED = "mortgaged", _("Own home with mortgage")
    RENTED = "rented", _("Rented")
    PARENTS = "parents", _("Living with parents")
