"""Approval (审批): versioned policies, one case per application, append-only actions, authority limits, delegations.

Invariants: at most one policy version is published at a time (publishing retires the previous one) and a
published or retired version is immutable (``FrozenWhenFinal``); an application has at most one ``ApprovalCase``
(restarted in a new ``round`` after a refer-back); an ``ApprovalAction`` is never changed or deleted, and a person
decides at most once per step and round, both as actor and as the seat they act for (unique constraints).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from loancrm.approvals.errors import ActionsAppendOnly, PolicyVersionFrozen
from loancrm.core.frozen import FrozenWhenFinal


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", pgettext_lazy("version status", "Published")
    RETIRED = "retired", _("Retired")


class CaseStatus(models.TextChoices):
    PENDING = "pending", _("In approval")
    REFERRED_BACK = "referred_back", _("Referred back")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class Decision(models.TextChoices):
    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Reject")
    REFER_BACK = "refer_back", _("Refer back")


class ApprovalPolicyVersion(FrozenWhenFinal):
    frozen_error = PolicyVersionFrozen

    version = models.PositiveIntegerField(_("version"), unique=True)
    status = models.CharField(_("status"), max_length=16, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    routes = models.JSONField(_("routes"), default=list)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)

    class Meta:
        ordering = ["-version"]
        verbose_name = _("approval policy version")
        verbose_name_plural = _("approval policy versions")
        permissions = [("manage_approvalpolicy", _("Can edit and publish approval policies"))]

    def __str__(self) -> str:
        return f"v{self.version}"

    def is_frozen(self) -> bool:
        return bool(self.pk) and (
            ApprovalPolicyVersion.objects.filter(pk=self.pk).exclude(status=VersionStatus.DRAFT).exists()
        )


class ApprovalCase(models.Model):
    application = models.OneToOneField(
        "applications.Application", on_delete=models.PROTECT, related_name="approval_case",
        verbose_name=_("application"),
    )  # fmt: skip
    policy_version = models.ForeignKey(
        ApprovalPolicyVersion, on_delete=models.PROTECT, related_name="cases", verbose_name=_("policy version")
    )
    route_code = models.CharField(_("route"), max_length=40)
    route_label = models.CharField(_("route name"), max_length=80, blank=True)
    steps = models.JSONField(_("steps"), default=list)  # the route's steps as published (a copy, for display)
    round = models.PositiveIntegerField(_("round"), default=1)
    current_step = models.PositiveSmallIntegerField(_("current step"), default=0)
    amount = models.DecimalField(_("amount under approval"), max_digits=18, decimal_places=2)
    requested_amount = models.DecimalField(_("amount recommended by the reviewer"), max_digits=18, decimal_places=2)
    status = models.CharField(_("status"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.PENDING)
    risk_level = models.CharField(_("risk level"), max_length=10, blank=True)
    opinion = models.JSONField(_("reviewer's opinion"), default=dict)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("reviewer"),
    )  # fmt: skip
    step_started_at = models.DateTimeField(_("step started at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("approval case")
        verbose_name_plural = _("approval cases")
        permissions = [("act_approvalcase", _("Can act on approval cases"))]
        indexes = [models.Index(fields=["status", "step_started_at"])]

    def __str__(self) -> str:
        return f"{self.application} · {self.route_code}"


class ApprovalAction(models.Model):
    case = models.ForeignKey(ApprovalCase, on_delete=models.PROTECT, related_name="actions")
    round = models.PositiveIntegerField(_("round"))
    step = models.PositiveSmallIntegerField(_("step"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("actor")
    )
    principal = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("on behalf of")
    )
    acting_for = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("acting for"),
    )  # fmt: skip
    action = models.CharField(_("action"), max_length=16, choices=Decision.choices)
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=2, null=True, blank=True)
    comment = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("approval action")
        verbose_name_plural = _("approval actions")
        constraints = [
            models.UniqueConstraint(fields=["case", "round", "step", "actor"], name="approval_one_action_per_actor"),
            models.UniqueConstraint(
                fields=["case", "round", "step", "principal"], name="approval_one_action_per_principal"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} r{self.round} s{self.step} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ActionsAppendOnly()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ActionsAppendOnly()


class AuthorityLimit(models.Model):
    """授权额度: the most a role (or one user, overriding their roles) may approve; empty: unlimited."""

    role = models.CharField(_("role"), max_length=40)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
        verbose_name=_("user"),
    )  # fmt: skip
    max_amount = models.DecimalField(_("maximum amount"), max_digits=18, decimal_places=2, null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["role", "user"]
        verbose_name = _("authority limit")
        verbose_name_plural = _("authority limits")
        constraints = [
            models.UniqueConstraint(fields=["role"], condition=models.Q(user__isnull=True), name="authority_per_role"),
            models.UniqueConstraint(fields=["role", "user"], name="authority_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.role} {self.user_id or ''} {self.max_amount}"


class Delegation(models.Model):
    """While active (``starts_on`` ≤ today ≤ ``ends_on``, not revoked) the delegate may act on the delegator's steps."""

    delegator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("delegator")
    )
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("delegate")
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    reason = models.CharField(_("reason"), max_length=200)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")

    def __str__(self) -> str:
        return f"{self.delegator_id} → {self.delegate_id} {self.starts_on}..{self.ends_on}"
