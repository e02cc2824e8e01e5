"""Corporate borrowers (企业客户): registration data, yearly financial statements and related parties.

Invariants: one customer per unified social credit code (validated with its GB 32100 check character); one
statement per customer and year; the legal representative's and related parties' identifiers are encrypted.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from loancrm.core.fields import EncryptedTextField
from loancrm.customers.choices import PartyRelation
from loancrm.customers.models.customer import Customer


class CorporateProfile(models.Model):
    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, related_name="corporate")
    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    registered_capital = models.DecimalField(
        _("registered capital"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    industry = models.CharField(_("industry"), max_length=60, blank=True)
    business_scope = models.TextField(_("business scope"), blank=True)
    established_on = models.DateField(_("established on"), null=True, blank=True)
    legal_rep_name = models.CharField(_("legal representative"), max_length=60, blank=True)
    legal_rep_id_number = EncryptedTextField(
        _("legal representative's ID number"), kind="id_number", blank=True, default=""
    )
    registered_address = models.CharField(_("registered address"), max_length=200, blank=True)

    class Meta:
        db_table = "customers_corporate_profile"
        verbose_name = _("corporate profile")
        verbose_name_plural = _("corporate profiles")

    def __str__(self) -> str:
        return self.credit_code


class FinancialStatement(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="statements")
    year = models.PositiveSmallIntegerField(_("year"))
    revenue = models.DecimalField(_("revenue"), max_digits=18, decimal_places=2)
    net_profit = models.DecimalField(_("net profit"), max_digits=18, decimal_places=2)
    total_assets = models.DecimalField(_("total assets"), max_digits=18, decimal_places=2)
    total_liabilities = models.DecimalField(_("total liabilities"), max_digits=18, decimal_places=2)

    class Meta:
        db_table = "customers_financial_statement"
        verbose_name = _("financial statement")
        verbose_name_plural = _("financial statements")
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["customer", "year"], name="customer_statement_year_unique")]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.year}"


class RelatedParty(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="related_parties")
    name = models.CharField(_("name"), max_length=120)
    relation = models.CharField(_("relation"), max_length=12, choices=PartyRelation.choices)
    share_pct = models.DecimalField(_("share (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    identifier = EncryptedTextField(_("credit code or ID number"), kind="id_number", blank=True, default="")

    class Meta:
        db_table = "customers_related_party"
        verbose_name = _("related party")
        verbose_name_plural = _("related parties")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.customer_id} party {self.pk}"
