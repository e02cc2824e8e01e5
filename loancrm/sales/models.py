"""Sales follow-up: refusal reasons, follow-up records, SLA tasks and the interaction timeline.

Invariants: a follow-up always records the points discussed and the intention before and after; a refused one
names a refusal reason; a task is open, done or cancelled and ``closed_at`` is set exactly when it is not open;
the timeline is append-only (services add entries, nothing edits them).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loancrm.leads.choices import Stage
from loancrm.sales.choices import ContactMethod, Intention, InteractionKind, Outcome, TaskKind, TaskStatus


class RefusalReason(models.Model):
    """A reason a customer declines (configurable list, ordered; retired reasons stay for history)."""

    label = models.CharField(_("reason"), max_length=60, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=100)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("refusal reason")
        verbose_name_plural = _("refusal reasons")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.label


class SlaSettings(models.Model):
    """Follow-up SLA (singleton): first call within N minutes of assignment, second follow-up after N days."""

    singleton = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    first_call_minutes = models.PositiveSmallIntegerField(_("first call within (minutes)"), default=5)
    second_follow_up_days = models.PositiveSmallIntegerField(_("second follow-up after (days)"), default=3)

    class Meta:
        verbose_name = _("follow-up SLA")
        verbose_name_plural = _("follow-up SLA")

    def __str__(self) -> str:
        return f"{self.first_call_minutes}min / {self.second_follow_up_days}d"


class FollowUp(models.Model):
    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="follow_ups")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    method = models.CharField(_("method"), max_length=10, choices=ContactMethod.choices, default=ContactMethod.CALL)
    points = models.TextField(_("points discussed"), max_length=2000)
    intention_before = models.CharField(_("intention before"), max_length=8, choices=Intention.choices)
    intention_after = models.CharField(_("intention after"), max_length=8, choices=Intention.choices)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    refusal_reason = models.ForeignKey(
        RefusalReason, verbose_name=_("refusal reason"), null=True, blank=True, on_delete=models.PROTECT
    )
    next_contact_at = models.DateTimeField(_("next contact"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(outcome=Outcome.REFUSED) | Q(refusal_reason__isnull=False), name="followup_refusal_reason"
            )
        ]

    def __str__(self) -> str:
        return f"{self.lead_id} {self.outcome}"


class FollowUpTask(models.Model):
    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="tasks")
    assignee = models.ForeignKey(  # indexed by (assignee, status, due_at)
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="follow_up_tasks", db_index=False
    )
    kind = models.CharField(_("task"), max_length=20, choices=TaskKind.choices)
    status = models.CharField(_("status"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    due_at = models.DateTimeField(_("due"))
    stage_at_creation = models.CharField(max_length=12, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    overdue_reported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["assignee", "status", "due_at"]), models.Index(fields=["status", "due_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=TaskStatus.OPEN, closed_at__isnull=True)
                | (~Q(status=TaskStatus.OPEN) & Q(closed_at__isnull=False)),
                name="task_closed_at_iff_closed",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.lead_id} {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def is_overdue(self) -> bool:
        return self.status == TaskStatus.OPEN and self.due_at < timezone.now()


def recording_path(instance: Interaction, filename: str) -> str:
    """Private path (MEDIA_ROOT is never served): the original name is not kept, only its extension."""
    suffix = filename.rsplit(".", 1)[-1].lower()[:5] if "." in filename else "bin"
    return f"recordings/{timezone.now():%Y/%m}/{instance.lead_id}-{uuid.uuid4().hex}.{suffix}"


class Interaction(models.Model):
    """One entry of a lead's timeline (newest first); appended by the services that cause it."""

    lead = models.ForeignKey(  # indexed by (lead, occurred_at)
        "leads.Lead", on_delete=models.CASCADE, related_name="interactions", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=12, choices=InteractionKind.choices)
    summary = models.CharField(_("summary"), max_length=300)
    body = models.TextField(_("details"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    occurred_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    recording = models.FileField(_("recording"), upload_to=recording_path, blank=True)
    provider_link = models.URLField(_("telephony link"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        default_permissions = ("view", "add")
        indexes = [models.Index(fields=["lead", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.lead_id} {self.kind} {self.summary[:30]}"


class TagColor(models.TextChoices):
    BLUE = "blue", _("Blue")
    GREEN = "green", _("Green")
    ORANGE = "orange", _("Orange")
    RED = "red", _("Red")
    PURPLE = "purple", _("Purple")
    SECONDARY = "secondary", _("Grey")


class Tag(models.Model):
    """A label on leads: set by hand (``rule`` empty) or by its CEL rule over the lead's facts."""

    name = models.CharField(_("name"), max_length=30, unique=True)
    color = models.CharField(_("colour"), max_length=10, choices=TagColor.choices, default=TagColor.BLUE)
    rule = models.CharField(_("rule"), max_length=500, blank=True, help_text=_("Empty: a manual tag."))
    description = models.CharField(_("description"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_automatic(self) -> bool:
        return bool(self.rule)


class LeadTag(models.Model):
    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="tags")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="lead_tags")
    by_rule = models.BooleanField(default=False)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        default_permissions = ("view", "add")
        constraints = [models.UniqueConstraint(fields=["lead", "tag"], name="lead_tag_unique")]
        indexes = [models.Index(fields=["tag", "lead"])]

    def __str__(self) -> str:
        return f"{self.lead_id}#{self.tag_id}"


class ScriptKind(models.TextChoices):
    SCRIPT = "script", _("Call script")
    FAQ = "faq", _("FAQ")
    OBJECTION = "objection", _("Objection handling")


class Script(models.Model):
    """A talk track, FAQ answer or objection handler (话术), for a product and stage or for all."""

    kind = models.CharField(_("kind"), max_length=10, choices=ScriptKind.choices, default=ScriptKind.SCRIPT)
    title = models.CharField(_("title"), max_length=100)
    product = models.CharField(_("product"), max_length=60, blank=True, help_text=_("Empty: every product."))
    stage = models.CharField(
        _("stage"), max_length=12, choices=Stage.choices, blank=True, help_text=_("Empty: every stage.")
    )
    body = models.TextField(_("text"), max_length=5000)
    keywords = models.CharField(_("keywords"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=100)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("script")
        verbose_name_plural = _("scripts")
        ordering = ["position", "title", "id"]

    def __str__(self) -> str:
        return self.title
