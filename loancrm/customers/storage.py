"""Private file storage for credit reports: under ``MEDIA_ROOT/private`` with no public URL.

Invariant: files here are only ever served by a permission-checked, audited view; the storage has no base URL,
so ``.url`` raises instead of leaking a link.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage

ALLOWED_EXTENSIONS = {".pdf": "application/pdf", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png"}
MAX_REPORT_BYTES = 10 * 1024 * 1024


class PrivateStorage(FileSystemStorage):
    """``MEDIA_ROOT/private``, read from the settings at each use (so tests can point it elsewhere)."""

    @property
    def base_location(self) -> str:
        return str(Path(settings.MEDIA_ROOT) / "private")

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:
        raise ValueError("private files have no URL")


def private_storage() -> PrivateStorage:
    return PrivateStorage()


def credit_report_path(instance: Any, filename: str) -> str:
    """A random name (the uploaded name may carry personal data); only the extension is kept."""
    return f"credit-reports/{uuid.uuid4().hex}{Path(filename).suffix.lower()}"
