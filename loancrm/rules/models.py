"""Rule sets as versioned data: a ``RuleSet`` and its ordered ``Rule`` rows.

Invariants: (name, version) is unique and versions of one name count up from 1; rules of a set are evaluated in
``position`` order and their codes are unique within the set; a published rule set and its rules are immutable:
``save`` and ``delete`` refuse them, so a decision that names a rule-set version can always be replayed.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from loancrm.core.frozen import FrozenWhenFinal
from loancrm.rules.errors import RuleSetPublished


class RuleSetStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class RuleAction(models.TextChoices):
    REJECT = "reject", _("Reject")
    MANUAL_REVIEW = "manual_review", _("Manual review")
    FLAG = "flag", _("Flag")


class RuleSet(FrozenWhenFinal):
    frozen_error = RuleSetPublished

    name = models.CharField(_("name"), max_length=100)
    version = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=16, choices=RuleSetStatus.choices, default=RuleSetStatus.DRAFT)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["name", "-version"]
        verbose_name = _("rule set")
        verbose_name_plural = _("rule sets")
        constraints = [models.UniqueConstraint(fields=["name", "version"], name="rule_set_name_version")]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    def is_frozen(self) -> bool:
        return bool(self.pk) and RuleSet.objects.filter(pk=self.pk, status=RuleSetStatus.PUBLISHED).exists()


class Rule(FrozenWhenFinal):
    frozen_error = RuleSetPublished

    rule_set = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="rules")
    position = models.PositiveSmallIntegerField(_("position"))
    code = models.CharField(_("code"), max_length=50)
    expression = models.TextField(_("expression"))
    action = models.CharField(_("action"), max_length=16, choices=RuleAction.choices)
    reason_code = models.CharField(_("reason code"), max_length=50)
    description = models.CharField(_("description"), max_length=200, blank=True)

    class Meta:
        ordering = ["rule_set", "position"]
        verbose_name = _("rule")
        verbose_name_plural = _("rules")
        constraints = [models.UniqueConstraint(fields=["rule_set", "code"], name="rule_set_rule_code")]

    def __str__(self) -> str:
        return self.code

    def is_frozen(self) -> bool:
        return RuleSet.objects.filter(pk=self.rule_set_id, status=RuleSetStatus.PUBLISHED).exists()
