"""Statuses of contract templates, contracts and their files, and the parties' roles."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class TemplateStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("contract template status", "Draft")
    PUBLISHED = "published", pgettext_lazy("contract template status", "Published")
    RETIRED = "retired", pgettext_lazy("contract template status", "Retired")


class ContractStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("contract status", "Draft")
    AWAITING_SIGNATURES = "awaiting_signatures", pgettext_lazy("contract status", "Awaiting signatures")
    SIGNED = "signed", pgettext_lazy("contract status", "Signed")
    CANCELLED = "cancelled", pgettext_lazy("contract status", "Cancelled")


CONTRACT_TRANSITIONS: dict[str, set[str]] = {
    ContractStatus.DRAFT: {ContractStatus.AWAITING_SIGNATURES, ContractStatus.CANCELLED},
    ContractStatus.AWAITING_SIGNATURES: {ContractStatus.SIGNED, ContractStatus.CANCELLED},
    ContractStatus.SIGNED: set(),
    ContractStatus.CANCELLED: set(),
}
UNSIGNED = (ContractStatus.DRAFT, ContractStatus.AWAITING_SIGNATURES)


class PartyRole(models.TextChoices):
    BORROWER = "borrower", _("Borrower")
    GUARANTOR = "guarantor", _("Guarantor")


class FileKind(models.TextChoices):
    UNSIGNED = "unsigned", _("Unsigned contract")
    SIGNED = "signed", _("Signed contract (sealed)")
