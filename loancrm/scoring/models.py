"""Scorecards as versioned data: a ``Scorecard`` and its ``ScorecardFeature`` rows with their bins.

Invariants: (name, version) is unique and versions of one name count up from 1; a row's score is
``base_score + Σ points of its bin in each feature``; each feature's ``bins`` is the JSON of
``binning.Bin.as_dict`` with the missing bin last, so every value maps to exactly one bin; a published
scorecard and its features are immutable: ``save`` and ``delete`` refuse them (as audit events refuse edits), so
a decision that names a scorecard version can always be replayed.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from loancrm.core.frozen import FrozenWhenFinal
from loancrm.scoring.errors import ScorecardPublished


class ScorecardStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class FeatureKind(models.TextChoices):
    NUMERIC = "numeric", _("Numeric")
    CATEGORICAL = "categorical", _("Categorical")


class Scorecard(FrozenWhenFinal):
    frozen_error = ScorecardPublished

    name = models.CharField(_("name"), max_length=100)
    version = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=16, choices=ScorecardStatus.choices, default=ScorecardStatus.DRAFT
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    base_points = models.FloatField(_("base points"), default=600)
    odds = models.FloatField(_("odds at base points"), default=50)
    pdo = models.FloatField(_("points to double the odds"), default=20)
    intercept = models.FloatField(_("intercept"), default=0)
    base_score = models.IntegerField(_("base score"), default=0)
    target = models.CharField(_("target"), max_length=200)
    train_metrics = models.JSONField(_("training metrics"), default=dict)
    validation_metrics = models.JSONField(_("validation metrics"), default=dict)

    class Meta:
        ordering = ["name", "-version"]
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")
        constraints = [models.UniqueConstraint(fields=["name", "version"], name="scorecard_name_version")]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    def is_frozen(self) -> bool:
        return bool(self.pk) and Scorecard.objects.filter(pk=self.pk, status=ScorecardStatus.PUBLISHED).exists()


class ScorecardFeature(FrozenWhenFinal):
    frozen_error = ScorecardPublished

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="features")
    position = models.PositiveSmallIntegerField(_("position"))
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=FeatureKind.choices)
    iv = models.FloatField(_("information value"))
    coefficient = models.FloatField(_("coefficient"))
    bins = models.JSONField(_("bins"), default=list)

    class Meta:
        ordering = ["scorecard", "position"]
        verbose_name = _("scorecard feature")
        verbose_name_plural = _("scorecard features")
        constraints = [models.UniqueConstraint(fields=["scorecard", "name"], name="scorecard_feature_name")]

    def __str__(self) -> str:
        return self.name

    def is_frozen(self) -> bool:
        return Scorecard.objects.filter(pk=self.scorecard_id, status=ScorecardStatus.PUBLISHED).exists()
