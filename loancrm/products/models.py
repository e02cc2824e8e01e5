"""The product catalogue: a ``Product`` and its numbered ``ProductVersion`` rows with the terms.

Invariants: (product, version) is unique and versions of one product count up from 1; at most one version of a
product is published at a time (publishing retires the previous one); a published or retired version is immutable:
``save`` and ``delete`` refuse it, so an application that names a version keeps the terms it was made under. The
only change to a published row is its retirement, a status-only queryset update made by the publish service.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from loancrm.core.frozen import FrozenWhenFinal
from loancrm.loans.allocation import DEFAULT_ORDER
from loancrm.products.errors import ProductVersionFrozen


class ProductKind(models.TextChoices):
    CONSUMER = "consumer", _("Consumer credit")
    CAR = "car", _("Car loan")
    MORTGAGE = "mortgage", _("Mortgage-backed loan")
    BUSINESS = "business", _("Business loan")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


class DayCount(models.IntegerChoices):
    D360 = 360, "360"
    D365 = 365, "365"


class Product(models.Model):
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=ProductKind.choices)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


def _default_order() -> str:
    return ",".join(DEFAULT_ORDER)


class ProductVersion(FrozenWhenFinal):
    frozen_error = ProductVersionFrozen

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=16, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    min_amount = models.DecimalField(_("minimum amount"), max_digits=18, decimal_places=2, default=0)
    max_amount = models.DecimalField(_("maximum amount"), max_digits=18, decimal_places=2, default=0)
    min_term_months = models.PositiveSmallIntegerField(_("minimum term (months)"), default=0)
    max_term_months = models.PositiveSmallIntegerField(_("maximum term (months)"), default=0)
    methods = models.JSONField(_("repayment methods"), default=list)
    min_rate = models.DecimalField(_("minimum annual rate"), max_digits=9, decimal_places=6, default=0)
    max_rate = models.DecimalField(_("maximum annual rate"), max_digits=9, decimal_places=6, default=0)
    default_rate = models.DecimalField(_("default annual rate"), max_digits=9, decimal_places=6, default=0)
    fees = models.JSONField(_("fees"), default=list)
    penalty_multiplier = models.DecimalField(_("penalty multiplier"), max_digits=6, decimal_places=2, default=1.5)
    grace_days = models.PositiveSmallIntegerField(_("grace days"), default=0)
    compound = models.BooleanField(_("compound interest on overdue interest"), default=True)
    day_count = models.PositiveSmallIntegerField(_("day-count basis"), choices=DayCount.choices, default=360)
    allocation_order = models.CharField(_("allocation order"), max_length=100, default=_default_order)
    documents = models.JSONField(_("document checklist"), default=list)
    rule_set = models.ForeignKey(
        "rules.RuleSet", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("rule set")
    )
    scorecard = models.ForeignKey(
        "scoring.Scorecard",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("scorecard"),
    )
    auto_approve_score = models.IntegerField(_("auto-approve from score"), null=True, blank=True)
    reject_below_score = models.IntegerField(_("reject below score"), null=True, blank=True)
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
        ordering = ["product", "-version"]
        verbose_name = _("product version")
        verbose_name_plural = _("product versions")
        constraints = [models.UniqueConstraint(fields=["product", "version"], name="product_version_number")]

    def __str__(self) -> str:
        return f"{self.product_id} v{self.version}"

    def is_frozen(self) -> bool:
        return bool(self.pk) and ProductVersion.objects.filter(pk=self.pk).exclude(status=VersionStatus.DRAFT).exists()
