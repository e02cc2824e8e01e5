"""Statuses of disbursement orders, their attempts and bank-account penny tests (with the order transition table)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class OrderStatus(models.TextChoices):
    CREATED = "created", pgettext_lazy("disbursement", "Created")
    SUBMITTED = "submitted", pgettext_lazy("disbursement", "Submitted to the channel")
    SUCCEEDED = "succeeded", pgettext_lazy("disbursement", "Disbursed")
    FAILED = "failed", pgettext_lazy("disbursement", "Failed")
    CANCELLED = "cancelled", pgettext_lazy("disbursement", "Cancelled")


# A live order blocks another one for the same contract (the database enforces it: one live order per contract).
LIVE = (OrderStatus.CREATED, OrderStatus.SUBMITTED, OrderStatus.SUCCEEDED)

ORDER_TRANSITIONS: dict[str, set[str]] = {
    OrderStatus.CREATED: {OrderStatus.SUBMITTED, OrderStatus.FAILED, OrderStatus.CANCELLED},
    OrderStatus.SUBMITTED: {OrderStatus.SUCCEEDED, OrderStatus.FAILED},
    OrderStatus.FAILED: {OrderStatus.CREATED, OrderStatus.CANCELLED},  # retry, or give up
    OrderStatus.SUCCEEDED: set(),
    OrderStatus.CANCELLED: set(),
}


class AttemptStatus(models.TextChoices):
    SUBMITTED = "submitted", pgettext_lazy("disbursement attempt", "Awaiting the channel")
    SUCCEEDED = "succeeded", pgettext_lazy("disbursement attempt", "Succeeded")
    FAILED = "failed", pgettext_lazy("disbursement attempt", "Failed")


class PennyStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting confirmation")
    VERIFIED = "verified", _("Verified")
    FAILED = "failed", _("Failed")
