"""Refusals of the documents module and the messages of upload problems (Chinese by default)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from loancrm.core.errors import InvalidTransition

FILE_MESSAGES: dict[str, Any] = {
    "unsupported_type": _("Upload a JPG, PNG or PDF file: the content of this file is none of these."),
    "broken_image": _("The image cannot be opened; it may be damaged."),
    "image_too_large": _("The image has too many pixels; upload a smaller photo."),
    "pdf_encrypted": _("The PDF is password-protected; upload a copy without a password."),
    "pdf_broken": _("The PDF cannot be opened; it may be damaged."),
}
TOO_BIG = _("The file is larger than 10 MB.")
EMPTY = _("The file is empty.")
TOO_SMALL = _("The image is %(width)s × %(height)s px; each side must be at least %(min)s px.")
TOO_MANY_PAGES = _("The PDF has %(pages)s pages; at most %(max)s are allowed.")
PHOTO_ONLY = _("%(type)s must be a photo (JPG or PNG).")
FULL = _("%(type)s: at most %(max)s files; this application already has %(max)s.")
DUPLICATE = _("This file has already been uploaded for this document.")
MISSING_REQUIRED = _("Required documents are missing: %(types)s.")


class DocumentsClosed(InvalidTransition):
    code = "documents_closed"
    default_message = _(
        "Documents can be uploaded only while the application is a draft, or when a correction of this document "
        "has been requested."
    )


class DocumentNotCurrent(InvalidTransition):
    code = "document_not_current"
    default_message = _("Only a current document can be rejected.")


class CorrectionNotOpen(InvalidTransition):
    code = "correction_not_open"
    default_message = _("This correction request is no longer open.")
