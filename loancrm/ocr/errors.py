"""Refusals of the OCR path."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from loancrm.core.errors import DomainError


class UnreadableImage(DomainError):
    """The bytes are not an image Pillow can decode (or are too large to decode safely)."""

    code = "ocr_unreadable_image"
    status = 400
    default_message = _("The file is not a readable image.")
