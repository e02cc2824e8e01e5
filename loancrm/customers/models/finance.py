"""A customer's financial picture: assets, liabilities and credit data (PBOC report figures and scores).

Invariants: money is Decimal(18, 2); one liabilities row and one credit row per customer; the credit report file
lives in private storage and is reachable only through the audited download view.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from loancrm.customers.choices import FinancialAssetType, PropertyType
from loancrm.customers.models.customer import Customer
from loancrm.customers.storage import credit_report_path, private_storage


class Property(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="properties")
    property_type = models.CharField(_("property type"), max_length=12, choices=PropertyType.choices)
    value = models.DecimalField(_("estimated value"), max_digits=18, decimal_places=2)
    has_mortgage = models.BooleanField(_("mortgaged"), default=False)
    mortgage_balance = models.DecimalField(
        _("mortgage balance"), max_digits=18, decimal_places=2, null=True, blank=True
    )

    class Meta:
        db_table = "customers_property"
        verbose_name = _("property")
        verbose_name_plural = _("properties")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.customer_id} property {self.pk}"


class Vehicle(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="vehicles")
    brand = models.CharField(_("brand"), max_length=60)
    price = models.DecimalField(_("purchase price"), max_digits=18, decimal_places=2)
    has_loan = models.BooleanField(_("on loan"), default=False)
    loan_balance = models.DecimalField(_("car loan balance"), max_digits=18, decimal_places=2, null=True, blank=True)

    class Meta:
        db_table = "customers_vehicle"
        verbose_name = _("vehicle")
        verbose_name_plural = _("vehicles")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.customer_id} vehicle {self.pk}"


class FinancialAsset(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="financial_assets")
    asset_type = models.CharField(_("asset type"), max_length=12, choices=FinancialAssetType.choices)
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=2)

    class Meta:
        db_table = "customers_financial_asset"
        verbose_name = _("financial asset")
        verbose_name_plural = _("financial assets")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.customer_id} asset {self.pk}"


class Liabilities(models.Model):
    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, related_name="liabilities")
    credit_card_count = models.PositiveSmallIntegerField(_("credit cards"), default=0)
    credit_card_limit = models.DecimalField(_("total credit card limit"), max_digits=18, decimal_places=2, default=0)
    credit_card_used = models.DecimalField(_("credit card balance used"), max_digits=18, decimal_places=2, default=0)
    credit_loan_balance = models.DecimalField(_("credit loan balance"), max_digits=18, decimal_places=2, default=0)
    credit_loan_monthly = models.DecimalField(
        _("credit loan monthly payment"), max_digits=18, decimal_places=2, default=0
    )
    mortgage_balance = models.DecimalField(_("mortgage balance"), max_digits=18, decimal_places=2, default=0)
    mortgage_monthly = models.DecimalField(_("mortgage monthly payment"), max_digits=18, decimal_places=2, default=0)
    car_loan_balance = models.DecimalField(_("car loan balance"), max_digits=18, decimal_places=2, default=0)
    car_loan_monthly = models.DecimalField(_("car loan monthly payment"), max_digits=18, decimal_places=2, default=0)
    other_balance = models.DecimalField(_("other debt balance"), max_digits=18, decimal_places=2, default=0)
    other_monthly = models.DecimalField(_("other debt monthly payment"), max_digits=18, decimal_places=2, default=0)

    class Meta:
        db_table = "customers_liabilities"
        verbose_name = _("liabilities")
        verbose_name_plural = _("liabilities")

    def __str__(self) -> str:
        return f"{self.customer_id} liabilities"

    @property
    def total_balance(self) -> Decimal:
        return (
            self.credit_card_used + self.credit_loan_balance + self.mortgage_balance + self.car_loan_balance
            + self.other_balance
        )  # fmt: skip

    @property
    def total_monthly(self) -> Decimal:
        return self.credit_loan_monthly + self.mortgage_monthly + self.car_loan_monthly + self.other_monthly


class CreditProfile(models.Model):
    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, related_name="credit")
    report_file = models.FileField(
        _("PBOC credit report"), storage=private_storage, upload_to=credit_report_path, blank=True, max_length=200
    )
    report_uploaded_at = models.DateTimeField(_("report uploaded at"), null=True, blank=True)
    report_date = models.DateField(_("report date"), null=True, blank=True)
    account_count = models.PositiveSmallIntegerField(_("credit accounts"), null=True, blank=True)
    overdue_account_count = models.PositiveSmallIntegerField(_("overdue accounts"), null=True, blank=True)
    max_overdue_months = models.PositiveSmallIntegerField(_("longest overdue (months)"), null=True, blank=True)
    inquiries_3m = models.PositiveSmallIntegerField(_("inquiries in the last 3 months"), null=True, blank=True)
    inquiries_6m = models.PositiveSmallIntegerField(_("inquiries in the last 6 months"), null=True, blank=True)
    outstanding_debt = models.DecimalField(
        _("outstanding debt"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    zhima_score = models.PositiveSmallIntegerField(_("Zhima credit score"), null=True, blank=True)
    other_score_provider = models.CharField(_("other score provider"), max_length=40, blank=True)
    other_score = models.PositiveSmallIntegerField(_("other score"), null=True, blank=True)

    class Meta:
        db_table = "customers_credit_profile"
        verbose_name = _("credit profile")
        verbose_name_plural = _("credit profiles")

    def __str__(self) -> str:
        return f"{self.customer_id} credit"
