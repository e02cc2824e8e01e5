"""The customer (客户) and its contacts, and the link from leads to the customer they became.

Invariants: one customer per ID number and one per primary mobile (unique blind indexes), so concurrent
conversions of the same person create one customer; a customer has at most one primary mobile; a lead links to
at most one customer; ID number, mobiles and addresses are encrypted at rest; birth date and gender are read
from the ID number, never typed in; ``status`` changes only through ``customer_set_status``, which sets
``closed_at`` exactly while the customer is closed and appends one ``CustomerStatusChange``.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loancrm.core.fields import BlindIndexField, EncryptedTextField
from loancrm.customers.choices import Education, Gender, Kind, MaritalStatus, Relationship, Status

PRIMARY = Q(is_primary=True)


class Customer(models.Model):
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.INDIVIDUAL)
    # NULL until the row has its id (C + 8 digits): unnumbered rows of concurrent inserts never collide.
    number = models.CharField(_("customer number"), max_length=12, unique=True, null=True, editable=False)  # noqa: DJ001
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    name = models.CharField(_("name"), max_length=120)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="customers",
    )  # fmt: skip
    org_unit = models.ForeignKey(
        "accounts.OrgUnit", verbose_name=_("organisation unit"), null=True, blank=True, on_delete=models.PROTECT
    )
    # Individual identity
    id_number = EncryptedTextField(_("ID number"), kind="id_number", blank=True, default="")
    id_number_bidx = BlindIndexField(source="id_number", kind="id_number")
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    marital_status = models.CharField(_("marital status"), max_length=10, choices=MaritalStatus.choices, blank=True)
    education = models.CharField(_("education"), max_length=10, choices=Education.choices, blank=True)
    children_count = models.PositiveSmallIntegerField(_("number of children"), null=True, blank=True)
    # Contact
    email = models.EmailField(_("e-mail"), blank=True)
    residence_address = EncryptedTextField(_("residence address"), kind="address", blank=True, default="")
    hukou_address = EncryptedTextField(_("household registration address"), kind="address", blank=True, default="")
    # Employment
    employer = models.CharField(_("employer"), max_length=120, blank=True)
    occupation = models.CharField(_("occupation"), max_length=60, blank=True)
    job_title = models.CharField(_("job title"), max_length=60, blank=True)
    years_employed = models.PositiveSmallIntegerField(_("years employed"), null=True, blank=True)
    monthly_income = models.DecimalField(_("monthly income"), max_digits=18, decimal_places=2, null=True, blank=True)
    employer_phone = models.CharField(_("employer phone"), max_length=30, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        db_table = "customers_customer"
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_bidx"], condition=~Q(id_number_bidx=""), name="customer_id_number_unique"
            ),
        ]
        indexes = [models.Index(fields=["owner", "kind"]), models.Index(fields=["org_unit", "kind"])]
        permissions = [
            ("view_credit_report", _("Can download credit reports")),
            ("reopen_customer", _("Can reopen closed customers")),
        ]

    def __str__(self) -> str:
        return self.number or "C(new)"

    @property
    def is_corporate(self) -> bool:
        return self.kind == Kind.CORPORATE

    def age(self, on: dt.date | None = None) -> int | None:
        """Full years on ``on`` (default today) from the birth date of the ID number; None without one."""
        if self.birth_date is None:
            return None
        on = on or timezone.localdate()
        had_birthday = (on.month, on.day) >= (self.birth_date.month, self.birth_date.day)
        return on.year - self.birth_date.year - (0 if had_birthday else 1)

    @property
    def primary_mobile(self) -> CustomerMobile | None:
        return next((m for m in self.mobiles.all() if m.is_primary), None)


class CustomerStatusChange(models.Model):
    """One change of a customer's status, with its mandatory reason (append-only; newest first)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(_("previous status"), max_length=10, choices=Status.choices)
    to_status = models.CharField(_("new status"), max_length=10, choices=Status.choices)
    reason = models.CharField(_("reason"), max_length=500)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("changed by"), on_delete=models.PROTECT,
                              related_name="+")  # fmt: skip
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        db_table = "customers_status_change"
        verbose_name = _("customer status change")
        verbose_name_plural = _("customer status changes")
        ordering = ["-changed_at", "-id"]
        default_permissions = ()
        indexes = [models.Index(fields=["customer", "changed_at"])]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.from_status} → {self.to_status}"


class CustomerMobile(models.Model):
    """A mobile number of a customer; the primary one is unique among all customers."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="mobiles")
    mobile = EncryptedTextField(_("mobile"), kind="mobile")
    mobile_bidx = BlindIndexField(source="mobile", kind="mobile")
    is_primary = models.BooleanField(_("primary"), default=False)
    note = models.CharField(_("note"), max_length=40, blank=True)

    class Meta:
        db_table = "customers_mobile"
        verbose_name = _("customer mobile")
        verbose_name_plural = _("customer mobiles")
        ordering = ["-is_primary", "id"]
        constraints = [
            models.UniqueConstraint(fields=["mobile_bidx"], condition=PRIMARY, name="customer_primary_mobile_unique"),
            models.UniqueConstraint(fields=["customer"], condition=PRIMARY, name="customer_one_primary_mobile"),
            models.UniqueConstraint(fields=["customer", "mobile_bidx"], name="customer_mobile_once"),
        ]
        indexes = [models.Index(fields=["mobile_bidx"], name="customer_mobile_bidx")]

    def __str__(self) -> str:
        return f"{self.customer_id} mobile {self.pk}"


class EmergencyContact(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="emergency_contacts")
    name = models.CharField(_("name"), max_length=60)
    relationship = models.CharField(_("relationship"), max_length=10, choices=Relationship.choices)
    mobile = EncryptedTextField(_("mobile"), kind="mobile")

    class Meta:
        db_table = "customers_emergency_contact"
        verbose_name = _("emergency contact")
        verbose_name_plural = _("emergency contacts")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.customer_id} contact {self.pk}"


class CustomerLead(models.Model):
    """A lead that became (or turned out to be) this customer; each lead links to one customer only."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="lead_links")
    lead = models.OneToOneField("leads.Lead", on_delete=models.CASCADE, related_name="customer_link")
    created_customer = models.BooleanField(_("created the customer"), default=False)
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    linked_at = models.DateTimeField(_("linked at"), default=timezone.now)

    class Meta:
        db_table = "customers_customer_lead"
        verbose_name = _("customer lead")
        verbose_name_plural = _("customer leads")
        ordering = ["-linked_at", "-id"]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.lead_id} → {self.customer_id}"
