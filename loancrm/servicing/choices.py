"""Servicing choices: the five-level classification (五级分类) and the states of an end-of-day run."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RiskClass(models.TextChoices):
    NORMAL = "normal", _("Normal")
    SPECIAL_MENTION = "special_mention", _("Special mention")
    SUBSTANDARD = "substandard", _("Substandard")
    DOUBTFUL = "doubtful", _("Doubtful")
    LOSS = "loss", _("Loss")


class EodStatus(models.TextChoices):
    RUNNING = "running", pgettext_lazy("end of day status", "Running")
    DONE = "done", pgettext_lazy("end of day status", "Done")


class PartitionStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("partition status", "Pending")
    DONE = "done", pgettext_lazy("partition status", "Done")
