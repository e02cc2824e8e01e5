"""OCR test fixtures: one engine per session, each sample image read once, and the CJK-font skip marker."""

from __future__ import annotations

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
