"""Document types (labels of ``products.terms.DOCUMENT_TYPES``); document, correction and ID-reading statuses."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class DocType(models.TextChoices):
    ID_FRONT = "id_front", _("ID card (portrait side)")
    ID_BACK = "id_back", _("ID card (national emblem side)")
    BANK_CARD = "bank_card", _("Bank card")
    CREDIT_REPORT = "credit_report", _("Credit report")
    INCOME_PROOF = "income_proof", _("Proof of income")
    SOCIAL_SECURITY = "social_security", _("Social security record")
    PROVIDENT_FUND = "provident_fund", _("Housing provident fund record")


class DocStatus(models.TextChoices):
    CURRENT = "current", pgettext_lazy("document status", "Current")
    SUPERSEDED = "superseded", pgettext_lazy("document status", "Superseded")
    REJECTED = "rejected", pgettext_lazy("document status", "Rejected")


class CorrectionStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("correction status", "Open")
    FULFILLED = "fulfilled", pgettext_lazy("correction status", "Fulfilled")
    CANCELLED = "cancelled", pgettext_lazy("correction status", "Cancelled")


class ReadingStatus(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("ocr status", "Queued")
    RUNNING = "running", pgettext_lazy("ocr status", "Reading")
    DONE = "done", pgettext_lazy("ocr status", "Done")
    FAILED = "failed", pgettext_lazy("ocr status", "Failed")


ID_SIDES = (DocType.ID_FRONT, DocType.ID_BACK)
