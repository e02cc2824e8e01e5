"""Credit review (信审): teams and routing rules, one review case per application, phone verifications (电核), the
reviewer's opinions and the conditions of a conditional approval.

Invariants: an application has at most one case that is not closed (``review_case_one_active``); a case's status
changes only through ``services`` (``queued → claimed → opinion_submitted → (referred_back → …) → closed``); a
team's members are the active users of its organisation unit with the role credit reviewer or credit supervisor;
opinions are append-only (a new one after a referral back), the latest one counts; a condition once met stays met
(who, when and the evidence are kept); a call recording lives in private storage under a random name, its type
sniffed from its bytes.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loancrm.customers.storage import PrivateStorage
from loancrm.loans.choices import RepaymentMethod
from loancrm.underwriting.audio import EXTENSIONS
from loancrm.underwriting.choices import (
    ACTIVE_STATUSES,
    AssignmentMode,
    CallResult,
    CallTarget,
    CaseStatus,
    ConditionKind,
    Recommendation,
)


def private_storage() -> PrivateStorage:
    return PrivateStorage()


def recording_path(instance: Any, filename: str) -> str:
    return f"review-calls/{uuid.uuid4().hex}{EXTENSIONS.get(instance.recording_type, '.bin')}"


class ReviewTeam(models.Model):
    name = models.CharField(_("name"), max_length=100)
    org_unit = models.ForeignKey(
        "accounts.OrgUnit", on_delete=models.PROTECT, related_name="review_teams", verbose_name=_("organisation unit")
    )
    mode = models.CharField(
        _("assignment"), max_length=12, choices=AssignmentMode.choices, default=AssignmentMode.WORKLOAD
    )
    sla_hours = models.PositiveSmallIntegerField(_("SLA (hours)"), default=24)
    remind_before_hours = models.PositiveSmallIntegerField(_("remind before due (hours)"), default=2)
    last_assigned = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("review team")
        verbose_name_plural = _("review teams")

    def __str__(self) -> str:
        return self.name


class RoutingRule(models.Model):
    """Matches amount band, products, risk levels and organisation unit; the first active match by priority wins,
    else the default rule."""

    name = models.CharField(_("name"), max_length=100)
    priority = models.PositiveIntegerField(_("priority"), default=100, help_text=_("Lower numbers are tried first."))
    active = models.BooleanField(_("active"), default=True)
    is_default = models.BooleanField(_("default rule"), default=False)
    min_amount = models.DecimalField(_("amount from"), max_digits=18, decimal_places=2, null=True, blank=True)
    max_amount = models.DecimalField(_("amount up to"), max_digits=18, decimal_places=2, null=True, blank=True)
    product_codes = models.JSONField(_("products"), default=list, blank=True)
    risk_levels = models.JSONField(_("risk levels"), default=list, blank=True)
    org_unit = models.ForeignKey(
        "accounts.OrgUnit", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("branch or unit"),
    )  # fmt: skip
    team = models.ForeignKey(ReviewTeam, on_delete=models.PROTECT, related_name="rules", verbose_name=_("team"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["is_default", "priority", "id"]
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        permissions = [("manage_routing", _("Can manage review routing rules"))]

    def __str__(self) -> str:
        return self.name


class ReviewCase(models.Model):
    application = models.ForeignKey(
        "applications.Application", on_delete=models.PROTECT, related_name="review_cases",
        verbose_name=_("application"),
    )  # fmt: skip
    team = models.ForeignKey(ReviewTeam, on_delete=models.PROTECT, related_name="cases", verbose_name=_("team"))
    rule = models.ForeignKey(RoutingRule, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="review_cases",
        verbose_name=_("reviewer"),
    )  # fmt: skip
    status = models.CharField(_("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.QUEUED)
    risk_level = models.CharField(_("risk level"), max_length=10, blank=True)
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    due_at = models.DateTimeField(_("due at"), db_index=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("review case")
        verbose_name_plural = _("review cases")
        constraints = [
            models.UniqueConstraint(
                fields=["application"], condition=Q(status__in=ACTIVE_STATUSES), name="review_case_one_active"
            )
        ]
        indexes = [models.Index(fields=["team", "status"]), models.Index(fields=["assignee", "status"])]
        permissions = [
            ("work_reviewcase", _("Can claim and review credit cases")),
            ("supervise_reviewcase", _("Can see a team's review queue and reassign cases")),
            ("mark_condition_met", _("Can mark review conditions met")),
        ]

    def __str__(self) -> str:
        return f"{self.application} · {self.get_status_display()}"


class PhoneCheckTemplate(models.Model):
    """The phone-verification checklist of a product (``product_code`` empty: the default one)."""

    product_code = models.CharField(_("product code"), max_length=40, unique=True, blank=True)
    name = models.CharField(_("name"), max_length=100)
    items = models.JSONField(_("items"), default=list)  # [{"code", "label"}]

    class Meta:
        ordering = ["product_code"]
        verbose_name = _("phone verification checklist")
        verbose_name_plural = _("phone verification checklists")

    def __str__(self) -> str:
        return self.name


class PhoneVerification(models.Model):
    case = models.ForeignKey(ReviewCase, on_delete=models.PROTECT, related_name="phone_checks")
    application = models.ForeignKey("applications.Application", on_delete=models.PROTECT, related_name="+")
    target = models.CharField(_("called"), max_length=12, choices=CallTarget.choices, default=CallTarget.APPLICANT)
    result = models.CharField(_("call result"), max_length=14, choices=CallResult.choices, blank=True)
    items = models.JSONField(_("checklist"), default=list)  # the template's items at the time of the call
    answers = models.JSONField(_("answers"), default=dict)  # {item code: confirmed / mismatch / unverified}
    notes = models.TextField(_("notes"), blank=True)
    call_id = models.CharField(_("call id"), max_length=64, blank=True)
    provider = models.CharField(_("telephony provider"), max_length=40, blank=True)
    recording = models.FileField(
        _("recording"), storage=private_storage, upload_to=recording_path, max_length=200, blank=True
    )
    recording_type = models.CharField(_("recording type"), max_length=30, blank=True)
    recording_size = models.PositiveIntegerField(_("recording size (bytes)"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("called at"), default=timezone.now)
    completed_at = models.DateTimeField(_("recorded at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("phone verification")
        verbose_name_plural = _("phone verifications")

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_target_display()} {self.result or '…'}"

    @property
    def is_pending(self) -> bool:
        return not self.result


class ReviewOpinion(models.Model):
    """A reviewer's submitted opinion (append-only)."""

    case = models.ForeignKey(ReviewCase, on_delete=models.PROTECT, related_name="opinions")
    application = models.ForeignKey("applications.Application", on_delete=models.PROTECT, related_name="+")
    recommendation = models.CharField(_("recommendation"), max_length=12, choices=Recommendation.choices)
    amount = models.DecimalField(_("approved amount"), max_digits=18, decimal_places=2)
    annual_rate = models.DecimalField(_("annual rate"), max_digits=9, decimal_places=6)
    term_months = models.PositiveSmallIntegerField(_("term (months)"))
    method = models.CharField(_("repayment method"), max_length=30, choices=RepaymentMethod.choices)
    risk_level = models.CharField(_("risk level"), max_length=10, blank=True)
    risk_points = models.JSONField(_("risk points"), default=list)
    comment = models.TextField(_("comment"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("submitted at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("review opinion")
        verbose_name_plural = _("review opinions")

    def __str__(self) -> str:
        return f"{self.application_id} {self.recommendation}"


class ReviewCondition(models.Model):
    opinion = models.ForeignKey(ReviewOpinion, on_delete=models.PROTECT, related_name="conditions")
    kind = models.CharField(_("kind"), max_length=20, choices=ConditionKind.choices, default=ConditionKind.OTHER)
    text = models.CharField(_("condition"), max_length=300)
    met = models.BooleanField(_("met"), default=False)
    met_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    met_at = models.DateTimeField(_("met at"), null=True, blank=True)
    evidence = models.TextField(_("evidence"), blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("review condition")
        verbose_name_plural = _("review conditions")

    def __str__(self) -> str:
        return self.text
