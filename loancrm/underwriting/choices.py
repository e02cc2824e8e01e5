"""Enumerations of credit review (信审): case statuses, assignment modes, recommendations, call results."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CaseStatus(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("review case", "Queued")
    CLAIMED = "claimed", pgettext_lazy("review case", "In review")
    OPINION_SUBMITTED = "opinion_submitted", pgettext_lazy("review case", "Opinion submitted")
    REFERRED_BACK = "referred_back", pgettext_lazy("review case", "Referred back")
    CLOSED = "closed", pgettext_lazy("review case", "Closed")


# A case is "open" (counts as workload, has an SLA) in these statuses.
OPEN_STATUSES = (CaseStatus.QUEUED, CaseStatus.CLAIMED, CaseStatus.REFERRED_BACK)
# A case holds one row per application in these (every status but closed).
ACTIVE_STATUSES = (*OPEN_STATUSES, CaseStatus.OPINION_SUBMITTED)
# The assignee may write an opinion in these.
WORKING_STATUSES = (CaseStatus.CLAIMED, CaseStatus.REFERRED_BACK)


class AssignmentMode(models.TextChoices):
    WORKLOAD = "workload", _("By workload (fewest open cases)")
    ROUND_ROBIN = "round_robin", _("Round robin")


class Recommendation(models.TextChoices):
    APPROVE = "approve", _("Approve")
    CONDITIONAL = "conditional", _("Approve with conditions")
    REJECT = "reject", _("Reject")


class ConditionKind(models.TextChoices):
    ADD_GUARANTOR = "add_guarantor", _("Add a guarantor")
    PROVIDE_DOCUMENT = "provide_document", _("Provide a document")
    COLLATERAL = "collateral", _("Provide collateral")
    OTHER = "other", _("Other")


class CallResult(models.TextChoices):
    CONNECTED = "connected", _("Connected")
    NO_ANSWER = "no_answer", _("No answer")
    REFUSED = "refused", _("Refused to talk")
    WRONG_NUMBER = "wrong_number", _("Wrong number")


class CallTarget(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")
    EMPLOYER = "employer", _("Employer")
    CONTACT = "contact", _("Emergency contact")


class ItemAnswer(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    MISMATCH = "mismatch", _("Does not match")
    UNVERIFIED = "unverified", _("Not verified")
