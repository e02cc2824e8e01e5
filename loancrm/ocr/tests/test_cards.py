"""Synthetic card images: real PNGs at card proportions, distortions applied, a clear error without a CJK font."""

from __future__ import annotations

import io
from datetime import date

import pytest
from PIL import Image

from loancrm.ocr import cards
from loancrm.ocr.cards import CjkFontMissing, Distortion, render_back, render_front
from loancrm.ocr.tests.conftest import needs_cjk_font

FRONT = {"name": "张伟", "gender": "男", "ethnicity": "汉", "birth_date": date(1990, 3, 7),
         "address": "北京市朝阳区建国路88号院3号楼2单元501室", "id_number": "110105199003070017"}  # fmt: skip


@needs_cjk_font
@pytest.mark.parametrize(
    "distortion", [None, Distortion(blur=1.0), Distortion(rotate=2.0), Distortion(noise=8.0, seed=1)]
)
def test_renders_png_of_card_proportions(distortion):
    for png in (
        render_front(**FRONT, distortion=distortion),
        render_back(
            authority="北京市公安局朝阳分局", valid_from=date(2015, 3, 1), valid_to=None, distortion=distortion
        ),
    ):
        image = Image.open(io.BytesIO(png))
        assert image.format == "PNG"
        assert image.size == (936, 620)  # 856 × 540 card on a 40 px margin
        assert image.mode == "RGB"


@needs_cjk_font
def test_distortions_change_the_pixels_and_are_repeatable():
    clean = render_front(**FRONT)
    noisy = render_front(**FRONT, distortion=Distortion(noise=8.0, seed=1))
    assert noisy != clean
    assert render_front(**FRONT, distortion=Distortion(noise=8.0, seed=1)) == noisy


def test_no_cjk_font_names_the_debian_package(monkeypatch, tmp_path):
    cards.cjk_font_path.cache_clear()
    cards._font.cache_clear()
    monkeypatch.setattr(cards, "FONT_DIRS", (tmp_path,))
    try:
        with pytest.raises(CjkFontMissing, match="fonts-noto-cjk"):
            render_front(**FRONT)
    finally:
        cards.cjk_font_path.cache_clear()
        cards._font.cache_clear()
