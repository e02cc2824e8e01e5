"""OCR test fixtures: one engine per session, each sample image read once; the CJK-font and engine-once markers."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest

from loancrm.ocr.cards import CjkFontMissing, cjk_font_path
from loancrm.ocr.lines import OcrLine


def _has_cjk_font() -> bool:
    try:
        cjk_font_path()
    except CjkFontMissing:
        return False
    return True


# The engine tests touch no database and take minutes: they run in the SQLite pass of CI, not again on PostgreSQL.
engine_once = pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="database-independent OCR engine test: run in the SQLite pass",
)

needs_cjk_font = pytest.mark.skipif(
    not _has_cjk_font(), reason="no CJK font to render cards with: install Debian's fonts-noto-cjk (make chromium)"
)


@pytest.fixture(scope="session")
def read_image() -> Callable[[str, bytes], list[OcrLine]]:
    """OCR an image once per session: ``read_image(key, png)`` caches the lines under ``key``."""
    from loancrm.ocr.engine import get_engine, read_lines

    get_engine()
    cache: dict[str, list[OcrLine]] = {}

    def read(key: str, png: bytes) -> list[OcrLine]:
        if key not in cache:
            cache[key] = read_lines(png)
        return cache[key]

    return read
