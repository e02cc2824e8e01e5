"""Leads (线索) from every channel, their duplicate hits, and the intake rules.

Invariants: one lead per mobile and per ID number (unique blind indexes: concurrent intake of the same person
creates one lead, the others become hits); one lead per (channel, external id) so partner retries are idempotent;
a lead never changes owner because it arrived again (no 撞单); mobile and ID number are encrypted at rest.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loancrm.core.fields import BlindIndexField, EncryptedTextField
from loancrm.leads.choices import Stage, Validity, prefilter_label


class Channel(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    is_blocked = models.BooleanField(
        _("blocked"), default=False, help_text=_("Leads from a blocked channel are invalid.")
    )
    team = models.ForeignKey(
        "accounts.OrgUnit", verbose_name=_("receiving team"), null=True, blank=True, on_delete=models.PROTECT
    )
    partner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("partner account"), null=True, blank=True, on_delete=models.PROTECT,
        help_text=_("The API account allowed to submit leads for this channel."),
    )  # fmt: skip

    class Meta:
        verbose_name = _("channel")
        verbose_name_plural = _("channels")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Lead(models.Model):
    channel = models.ForeignKey(Channel, verbose_name=_("channel"), on_delete=models.PROTECT, related_name="leads")
    campaign = models.CharField(_("campaign"), max_length=80, blank=True)
    external_id = models.CharField(_("external id"), max_length=80, blank=True)
    name = models.CharField(_("name"), max_length=60, blank=True)
    mobile = EncryptedTextField(_("mobile"), kind="mobile")
    mobile_bidx = BlindIndexField(source="mobile", kind="mobile")
    id_number = EncryptedTextField(_("ID number"), kind="id_number", blank=True, default="")
    id_number_bidx = BlindIndexField(source="id_number", kind="id_number")
    city = models.CharField(_("city"), max_length=40, blank=True)
    region_code = models.CharField(_("region code"), max_length=12, blank=True)
    desired_amount = models.DecimalField(_("desired amount"), max_digits=18, decimal_places=2, null=True, blank=True)
    desired_product = models.CharField(_("desired product"), max_length=60, blank=True)
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices, default=Stage.NEW)
    validity = models.CharField(_("validity"), max_length=8, choices=Validity.choices, default=Validity.VALID)
    invalid_reason = models.CharField(_("invalid reason"), max_length=200, blank=True)
    # owner and org_unit are indexed by the (owner, stage) and (org_unit, stage) indexes below (no index of their own)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="leads", db_index=False,
    )  # fmt: skip
    org_unit = models.ForeignKey(
        "accounts.OrgUnit", verbose_name=_("organisation unit"), null=True, blank=True, on_delete=models.PROTECT,
        db_index=False,
    )  # fmt: skip
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    stage_changed_at = models.DateTimeField(_("in this stage since"), null=True, blank=True)
    hit_count = models.PositiveIntegerField(_("duplicate hits"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["mobile_bidx"], name="lead_mobile_unique"),
            models.UniqueConstraint(fields=["id_number_bidx"], condition=~Q(id_number_bidx=""), name="lead_id_unique"),
            models.UniqueConstraint(
                fields=["channel", "external_id"], condition=~Q(external_id=""), name="lead_external_id_unique"
            ),
        ]
        indexes = [models.Index(fields=["owner", "stage"]), models.Index(fields=["org_unit", "stage"])]
        permissions = [("intake_lead", _("Can submit leads")), ("assign_lead", _("Can reassign leads"))]

    def __str__(self) -> str:
        return f"L{self.pk:08d}" if self.pk else "L(new)"

    @property
    def invalid_reason_label(self) -> str:
        return prefilter_label(self.invalid_reason)


class LeadHit(models.Model):
    """The same person arriving again: recorded on the existing lead, never reassigning it."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="hits")
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT)
    campaign = models.CharField(max_length=80, blank=True)
    external_id = models.CharField(max_length=80, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.lead} ← {self.channel_id}"


class LeadStageChange(models.Model):
    """One move of a lead between pipeline stages; ``entered_from_at`` is when the lead entered ``from_stage``."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(max_length=12, choices=Stage.choices)
    to_stage = models.CharField(max_length=12, choices=Stage.choices)
    entered_from_at = models.DateTimeField()
    changed_at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        default_permissions = ("view",)
        indexes = [models.Index(fields=["lead", "changed_at"])]

    def __str__(self) -> str:
        return f"{self.lead_id}: {self.from_stage} → {self.to_stage}"


class PrefilterRules(models.Model):
    """The one set of pre-filter rules (singleton): age range from the ID number and allowed regions."""

    singleton = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    min_age = models.PositiveSmallIntegerField(_("minimum age"), default=18)
    max_age = models.PositiveSmallIntegerField(_("maximum age"), default=60)
    allowed_province_codes = models.JSONField(
        _("allowed provinces"), default=list, blank=True, help_text=_("Two-digit codes; empty allows every province.")
    )

    class Meta:
        verbose_name = _("pre-filter rules")
        verbose_name_plural = _("pre-filter rules")

    def __str__(self) -> str:
        return f"{self.min_age}-{self.max_age}"


class AgentDuty(models.Model):
    """Whether a sales agent receives new leads now, and how many open leads they may hold."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="duty")
    on_duty = models.BooleanField(_("on duty"), default=True)
    capacity = models.PositiveIntegerField(_("maximum open leads"), default=200)
    last_assigned_at = models.DateTimeField(null=True, blank=True)
    assigned_total = models.PositiveIntegerField(default=0)

    class Meta:
        default_permissions = ("view", "change")

    def __str__(self) -> str:
        return f"{self.user_id} {'on' if self.on_duty else 'off'}"


class AssignmentStrategy(models.TextChoices):
    ROUND_ROBIN = "round_robin", _("Round robin")
    WEIGHTED = "weighted", _("Weighted")
    BY_REGION = "by_region", _("By region")
    BY_CAPACITY = "by_capacity", _("By free capacity")


class AssignmentRule(models.Model):
    """How leads of a channel (and optionally one campaign) are assigned; the campaign rule wins over the channel's.

    ``weights`` maps agent usernames to positive integers (weighted); ``regions`` maps a GB/T 2260 region-code
    prefix (e.g. "11", "3101") or a city name to the code of the team that receives those leads (by region).
    Without a rule a channel's leads go round-robin to its receiving team.
    """

    channel = models.ForeignKey(Channel, verbose_name=_("channel"), on_delete=models.CASCADE, related_name="rules")
    campaign = models.CharField(_("campaign"), max_length=80, blank=True, help_text=_("Empty: every campaign."))
    strategy = models.CharField(_("strategy"), max_length=12, choices=AssignmentStrategy.choices)
    team = models.ForeignKey(
        "accounts.OrgUnit", verbose_name=_("receiving team"), null=True, blank=True, on_delete=models.PROTECT,
        help_text=_("Empty: the channel's receiving team."),
    )  # fmt: skip
    weights = models.JSONField(_("weights"), default=dict, blank=True)
    regions = models.JSONField(_("regions"), default=dict, blank=True)
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("assignment rule")
        verbose_name_plural = _("assignment rules")
        ordering = ["channel__code", "campaign"]
        constraints = [models.UniqueConstraint(fields=["channel", "campaign"], name="assignment_rule_unique")]

    def __str__(self) -> str:
        return f"{self.channel_id}/{self.campaign or '*'}: {self.strategy}"


class PoolSettings(models.Model):
    """Shared-pool (公海) rules (singleton): when unfollowed leads return, and how many an agent may claim a day."""

    singleton = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    return_after_days = models.PositiveSmallIntegerField(_("return to the pool after (days)"), default=3)
    daily_claim_limit = models.PositiveSmallIntegerField(_("claims per agent per day"), default=20)

    class Meta:
        verbose_name = _("shared-pool settings")
        verbose_name_plural = _("shared-pool settings")

    def __str__(self) -> str:
        return f"{self.return_after_days}d / {self.daily_claim_limit}"


class LeadClaim(models.Model):
    """An agent taking a lead from the shared pool (counted against the daily limit)."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="claims")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    claimed_on = models.DateField(db_index=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        default_permissions = ()
        indexes = [models.Index(fields=["user", "claimed_on"])]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.lead_id}"
