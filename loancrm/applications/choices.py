"""Application statuses (with the transition table), channels and the applicant's declared categories.

After the automated decision: manual review (信审, ``underwriting``) → in approval (审批, ``approvals``) → approved
→ contracting (签约, ``contracts``) → signed → disbursed (放款, ``disbursements``); an auto-approved application
goes straight to contracting. A status changes only through ``applications.services``, along this table;
``loancrm.applications.lifecycle`` carries the hand-overs between the stages.
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
    IN_APPROVAL = "in_approval", pgettext_lazy("application status", "In approval")
    APPROVED = "approved", pgettext_lazy("application status", "Approved")
    CONTRACTING = "contracting", pgettext_lazy("application status", "Contract signing")
    SIGNED = "signed", pgettext_lazy("application status", "Contract signed")
    DISBURSED = "disbursed", pgettext_lazy("application status", "Disbursed")
    CANCELLED = "cancelled", pgettext_lazy("application status", "Cancelled")


STATUS_TRANSITIONS: dict[str, set[str]] = {
    Status.DRAFT: {Status.SUBMITTED, Status.WITHDRAWN},
    Status.SUBMITTED: {Status.PRE_SCREENING, Status.WITHDRAWN},
    Status.PRE_SCREENING: {Status.MANUAL_REVIEW, Status.AUTO_APPROVED, Status.REJECTED},
    Status.MANUAL_REVIEW: {Status.IN_APPROVAL, Status.APPROVED, Status.REJECTED, Status.WITHDRAWN},
    Status.IN_APPROVAL: {Status.MANUAL_REVIEW, Status.APPROVED, Status.REJECTED, Status.WITHDRAWN},
    Status.AUTO_APPROVED: {Status.CONTRACTING, Status.WITHDRAWN, Status.CANCELLED},
    Status.APPROVED: {Status.CONTRACTING, Status.WITHDRAWN, Status.CANCELLED},
    Status.CONTRACTING: {Status.SIGNED, Status.WITHDRAWN, Status.CANCELLED},
    Status.SIGNED: {Status.DISBURSED, Status.CANCELLED},
    Status.REJECTED: set(),
    Status.WITHDRAWN: set(),
    Status.DISBURSED: set(),
    Status.CANCELLED: set(),
}
EDITABLE = (Status.DRAFT,)
OPEN = (
    Status.DRAFT,
    Status.SUBMITTED,
    Status.PRE_SCREENING,
    Status.MANUAL_REVIEW,
    Status.AUTO_APPROVED,
    Status.IN_APPROVAL,
    Status.APPROVED,
    Status.CONTRACTING,
    Status.SIGNED,
)
# The automated decision's outcomes (``decided_at`` is set on entering one).
DECIDED = (Status.MANUAL_REVIEW, Status.AUTO_APPROVED, Status.REJECTED)
# Credit approved: the application carries approved terms (``approved_*``) from here on.
CREDIT_APPROVED = (Status.AUTO_APPROVED, Status.APPROVED, Status.CONTRACTING, Status.SIGNED, Status.DISBURSED)


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
