"""The loan application (进件) and its status history.

Invariants: an application names the product version it is made under and keeps it (the version is immutable
once published); ``number`` is ``A`` + 9 digits of the id, set right after insert; ``status`` changes only through
``applications.services`` along ``choices.STATUS_TRANSITIONS``, each change appending one ``ApplicationStatusChange``;
terms (amount, term, method, rate) are editable only while the application is a draft; a channel partner's
``external_ref`` is unique per partner, so a repeated API call finds the application it already created.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loancrm.applications.choices import Channel, Housing, Purpose, Status
from loancrm.customers.choices import Education


class Application(models.Model):
    # NULL until the row has its id: unnumbered rows of concurrent inserts never collide.
    number = models.CharField(_("application number"), max_length=12, unique=True, null=True, editable=False)  # noqa: DJ001
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="applications", verbose_name=_("customer")
    )
    lead = models.ForeignKey(
        "leads.Lead", on_delete=models.SET_NULL, null=True, blank=True, related_name="applications",
        verbose_name=_("lead"),
    )  # fmt: skip
    product_version = models.ForeignKey(
        "products.ProductVersion", on_delete=models.PROTECT, related_name="applications", verbose_name=_("product")
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    partner = models.CharField(_("channel partner"), max_length=60, blank=True)
    external_ref = models.CharField(_("partner reference"), max_length=64, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    status_changed_at = models.DateTimeField(_("status changed at"), default=timezone.now)
    # Terms applied for
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=2)
    term_months = models.PositiveSmallIntegerField(_("term (months)"))
    method = models.CharField(_("repayment method"), max_length=30)
    annual_rate = models.DecimalField(_("annual rate"), max_digits=9, decimal_places=6)
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices, default=Purpose.CONSUMPTION)
    # The applicant's declarations at the time of applying (the customer profile may change later)
    monthly_income = models.DecimalField(_("monthly income"), max_digits=18, decimal_places=2, null=True, blank=True)
    monthly_debt = models.DecimalField(
        _("existing monthly repayments"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    employment_years = models.DecimalField(
        _("years in employment"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    housing = models.CharField(_("housing"), max_length=12, choices=Housing.choices, blank=True)
    education = models.CharField(_("education"), max_length=10, choices=Education.choices, blank=True)
    region = models.CharField(_("region code"), max_length=6, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="applications",
        verbose_name=_("account manager"),
    )  # fmt: skip
    org_unit = models.ForeignKey(
        "accounts.OrgUnit", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("organisation unit")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # The credit decision's terms (set on approval, manual or automated; the contract is drawn on these).
    approved_amount = models.DecimalField(_("approved amount"), max_digits=18, decimal_places=2, null=True, blank=True)
    approved_annual_rate = models.DecimalField(
        _("approved annual rate"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    approved_term_months = models.PositiveSmallIntegerField(_("approved term (months)"), null=True, blank=True)
    approved_method = models.CharField(_("approved repayment method"), max_length=30, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "external_ref"], condition=~Q(external_ref=""), name="application_partner_ref"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["owner", "status"]),
            models.Index(fields=["org_unit", "status"]),
        ]
        permissions = [("submit_application", _("Can submit applications"))]

    def __str__(self) -> str:
        return self.number or "A(new)"

    @property
    def is_draft(self) -> bool:
        return self.status == Status.DRAFT


class ApplicationStatusChange(models.Model):
    """One status change, append-only; newest first."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    changed_at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = _("application status change")
        verbose_name_plural = _("application status changes")

    def __str__(self) -> str:
        return f"{self.from_status or '-'} → {self.to_status}"
