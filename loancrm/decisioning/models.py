"""Automated decisions and their replays; rule-set backtests.

Invariants: a ``Decision`` is written once by ``services.application_prescreen`` (at most one per application) and
never changed or deleted (``save`` of a stored row and ``delete`` raise ``DecisionImmutable``): it keeps the exact
inputs (``input_snapshot``: the snapshot the features were built from, the context, the scorecard row, the exact
Decimal inputs as strings, the external-data query ids and times), the rule-set and scorecard versions, the
cut-offs, every rule's result, the score with each feature's points, the outcome and its reasons, so it can be
replayed and explained. A ``DecisionReplay`` is likewise append-only. A ``RuleSetBacktest`` stores the report of a
rule set run on past decisions with the hash of the rules it ran (``rules_hash``), so an edit after the backtest is
detected.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from loancrm.decisioning.errors import DecisionImmutable


class Outcome(models.TextChoices):
    AUTO_APPROVED = "auto_approved", pgettext_lazy("decision outcome", "Auto-approved")
    MANUAL_REVIEW = "manual_review", pgettext_lazy("decision outcome", "Manual review")
    REJECTED = "rejected", pgettext_lazy("decision outcome", "Rejected")


class AppendOnly(models.Model):
    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk and type(self)._default_manager.filter(pk=self.pk).exists():
            raise DecisionImmutable()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise DecisionImmutable()


class Decision(AppendOnly):
    application = models.OneToOneField(
        "applications.Application", on_delete=models.PROTECT, related_name="decision", verbose_name=_("application")
    )
    input_snapshot = models.JSONField(_("input snapshot"), default=dict)
    rule_set = models.ForeignKey(
        "rules.RuleSet", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("rule set")
    )
    rule_set_version = models.PositiveIntegerField(_("rule set version"), null=True, blank=True)
    scorecard = models.ForeignKey(
        "scoring.Scorecard", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("scorecard"),
    )  # fmt: skip
    scorecard_version = models.PositiveIntegerField(_("scorecard version"), null=True, blank=True)
    cutoffs = models.JSONField(_("cut-offs"), default=dict)
    rule_results = models.JSONField(_("rule results"), default=list)
    rules_outcome = models.CharField(_("rules outcome"), max_length=20, blank=True)
    score = models.IntegerField(_("score"), null=True, blank=True)
    score_points = models.JSONField(_("points per feature"), default=list)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    reasons = models.JSONField(_("reason codes"), default=list)
    flags = models.JSONField(_("flags"), default=list)
    suggested_limit = models.DecimalField(_("suggested limit"), max_digits=18, decimal_places=2, null=True, blank=True)
    suggested_rate = models.DecimalField(_("suggested annual rate"), max_digits=9, decimal_places=6, null=True,
                                         blank=True)  # fmt: skip
    elapsed_ms = models.FloatField(_("elapsed (ms)"), default=0)
    created_at = models.DateTimeField(_("decided at"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=_("actor"))  # fmt: skip
    actor_repr = models.CharField(_("decided by"), max_length=150, default="system")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("automated decision")
        verbose_name_plural = _("automated decisions")
        indexes = [models.Index(fields=["outcome", "created_at"])]
        permissions = [
            ("replay_decision", _("Can replay automated decisions")),
            ("backtest_rule_set", _("Can backtest rule sets on past decisions")),
        ]

    def __str__(self) -> str:
        return f"D{self.pk or 0:09d}"


class DecisionReplay(AppendOnly):
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="replays")
    replayed_at = models.DateTimeField(_("replayed at"), default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+")  # fmt: skip
    actor_repr = models.CharField(max_length=150, default="system")
    same_outcome = models.BooleanField(_("same result"))
    result = models.JSONField(_("replayed result"), default=dict)
    differences = models.JSONField(_("differences"), default=list)

    class Meta:
        ordering = ["-replayed_at", "-id"]
        verbose_name = _("decision replay")
        verbose_name_plural = _("decision replays")

    def __str__(self) -> str:
        return f"{self.decision} replay {self.pk}"


class RuleSetBacktest(AppendOnly):
    rule_set = models.ForeignKey("rules.RuleSet", on_delete=models.CASCADE, related_name="+")
    n = models.PositiveIntegerField(_("cases asked for"))
    report = models.JSONField(_("report"), default=dict)
    decision_ids = models.JSONField(default=list)
    rules_hash = models.CharField(max_length=64)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+")  # fmt: skip
    created_at = models.DateTimeField(_("run at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("rule set backtest")
        verbose_name_plural = _("rule set backtests")

    def __str__(self) -> str:
        return f"backtest {self.rule_set_id} ({self.n})"
