"""Synthetic second-generation resident ID card images (front and back), for tests, benchmarks and the demo.

The layout follows the real card (85.6 × 54 mm, drawn at 10 px per mm: 856 × 540 px): blue labels, black values,
a photo box on the front, the national title on the back. The text is rendered with a CJK font installed on the
machine (Debian's ``fonts-noto-cjk``); without one ``CjkFontMissing`` names the package to install.

The images are plainly synthetic (no emblem, no security print, no photo, no chip): they are test data, not a
template for a document.
"""

from __future__ import annotations

import io
import math
import random
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

__all__ = [
    "CARD_SIZE",
    "CjkFontMissing",
    "Distortion",
    "cjk_font_path",
    "render_back",
    "render_front",
]

CARD_SIZE = (856, 540)
FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))
# Preferred faces first: the Simplified Chinese sans of Noto CJK, then any other CJK face found.
FONT_CANDIDATES = (
    "opentype/noto/NotoSansCJK-Regular.ttc",
    "opentype/noto/NotoSerifCJK-Regular.ttc",
    "truetype/wqy/wqy-zenhei.ttc",
    "truetype/wqy/wqy-microhei.ttc",
    "truetype/arphic/uming.ttc",
)
LABEL_COLOUR = (40, 90, 160)
VALUE_COLOUR = (20, 20, 20)


class CjkFontMissing(RuntimeError):
    """No CJK font on this machine: install Debian's ``fonts-noto-cjk`` (``make chromium`` does)."""

    def __init__(self) -> None:
        super().__init__("no CJK font found under /usr/share/fonts: install the Debian package fonts-noto-cjk")


@dataclass(frozen=True)
class Distortion:
    """How far a rendered card departs from a clean scan: Gaussian blur radius in px, rotation in degrees
    (positive is counter-clockwise), Gaussian noise standard deviation in grey levels, and the noise seed."""

    blur: float = 0.0
    rotate: float = 0.0
    noise: float = 0.0
    seed: int = 0


@cache
def cjk_font_path() -> Path:
    """The CJK font file to draw with; ``CjkFontMissing`` when the machine has none."""
    for base in FONT_DIRS:
        for candidate in FONT_CANDIDATES:
            if (base / candidate).is_file():
                return base / candidate
    for base in FONT_DIRS:
        if base.is_dir():
            found = sorted(p for p in base.rglob("*") if "CJK" in p.name and p.suffix in {".ttc", ".otf", ".ttf"})
            if found:
                return found[0]
    raise CjkFontMissing()


@cache
def _face_index(path: Path) -> int:
    """The index of the Simplified Chinese face in a collection (Noto CJK puts JP first), 0 otherwise."""
    if path.suffix != ".ttc":
        return 0
    for index in range(10):
        try:
            family, _style = ImageFont.truetype(str(path), 12, index=index).getname()
        except OSError:
            break
        if family and family.endswith(" SC"):
            return index
    return 0


@cache
def _font(size: int) -> ImageFont.FreeTypeFont:
    path = cjk_font_path()
    return ImageFont.truetype(str(path), size, index=_face_index(path))


def _background(seed: int) -> Image.Image:
    """A pale card with a soft gradient, faint guilloche-like waves and rounded corners on white."""
    width, height = CARD_SIZE
    card = Image.new("RGB", CARD_SIZE, (255, 255, 255))
    draw = ImageDraw.Draw(card)
    for y in range(height):
        shade = int(12 * y / height)
        draw.line([(0, y), (width, y)], fill=(236 - shade, 242 - shade // 2, 246))
    rng = random.Random(seed)  # noqa: S311 - decoration, not security
    for k in range(14):
        phase, base = rng.uniform(0, 6.28), 30 + k * 36
        points = [(x, base + 9 * math.sin(x / 45 + phase)) for x in range(0, width + 8, 8)]
        draw.line(points, fill=(222, 232, 240), width=1)
    mask = Image.new("L", CARD_SIZE, 0)
    ImageDraw.Draw(mask).rounded_rectangle([0, 0, width - 1, height - 1], radius=32, fill=255)
    framed = Image.new("RGB", CARD_SIZE, (255, 255, 255))
    framed.paste(card, (0, 0), mask)
    return framed


def _text(draw: ImageDraw.ImageDraw, xy: tuple[int, int], text: str, size: int, colour: tuple[int, int, int]) -> int:
    """Draw ``text`` with its top-left at ``xy``; return the x just after it."""
    font = _font(size)
    draw.text(xy, text, font=font, fill=colour)
    return int(xy[0] + draw.textlength(text, font=font))


def _wrap(text: str, per_line: int) -> list[str]:
    return [text[i : i + per_line] for i in range(0, len(text), per_line)] or [""]


def _finish(card: Image.Image, distortion: Distortion) -> bytes:
    """Put the card on a white margin (as a scan or photo would), distort it, and encode PNG."""
    margin = 40
    canvas = Image.new("RGB", (CARD_SIZE[0] + 2 * margin, CARD_SIZE[1] + 2 * margin), (250, 250, 250))
    canvas.paste(card, (margin, margin))
    if distortion.rotate:
        canvas = canvas.rotate(distortion.rotate, resample=Image.Resampling.BICUBIC, fillcolor=(250, 250, 250))
    if distortion.blur:
        canvas = canvas.filter(ImageFilter.GaussianBlur(distortion.blur))
    if distortion.noise:
        canvas = _add_noise(canvas, distortion.noise, distortion.seed)
    out = io.BytesIO()
    canvas.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _add_noise(image: Image.Image, sigma: float, seed: int) -> Image.Image:
    import numpy as np

    rng = np.random.default_rng(seed)
    pixels = np.asarray(image, dtype=np.float32)
    noisy = pixels + rng.normal(0.0, sigma, pixels.shape[:2])[..., None]
    return Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8), "RGB")


def render_front(
    *,
    name: str,
    gender: str,
    ethnicity: str,
    birth_date: date,
    address: str,
    id_number: str,
    distortion: Distortion | None = None,
) -> bytes:
    """The front (portrait side) as PNG bytes: 姓名, 性别/民族, 出生, 住址 (wrapped at 11 characters), a photo box
    and 公民身份号码."""
    distortion = distortion or Distortion()
    card = _background(distortion.seed)
    draw = ImageDraw.Draw(card)
    label, value = 26, 30
    x_label, x_value = 56, 150
    _text(draw, (x_label, 62), "姓名", label, LABEL_COLOUR)
    _text(draw, (x_value, 58), name, value, VALUE_COLOUR)
    _text(draw, (x_label, 130), "性别", label, LABEL_COLOUR)
    _text(draw, (x_value, 126), gender, value, VALUE_COLOUR)
    _text(draw, (250, 130), "民族", label, LABEL_COLOUR)
    _text(draw, (340, 126), ethnicity, value, VALUE_COLOUR)
    _text(draw, (x_label, 198), "出生", label, LABEL_COLOUR)
    x = _text(draw, (x_value, 194), f"{birth_date.year}", value, VALUE_COLOUR)
    x = _text(draw, (x + 12, 198), "年", label, LABEL_COLOUR)
    x = _text(draw, (x + 12, 194), f"{birth_date.month}", value, VALUE_COLOUR)
    x = _text(draw, (x + 12, 198), "月", label, LABEL_COLOUR)
    x = _text(draw, (x + 12, 194), f"{birth_date.day}", value, VALUE_COLOUR)
    _text(draw, (x + 12, 198), "日", label, LABEL_COLOUR)
    _text(draw, (x_label, 266), "住址", label, LABEL_COLOUR)
    for row, line in enumerate(_wrap(address, 11)):
        _text(draw, (x_value, 262 + row * 44), line, value, VALUE_COLOUR)
    # Photo box: a grey silhouette (no text in it, so nothing there for OCR to read into the address).
    draw.rectangle([590, 70, 800, 340], fill=(214, 220, 226))
    draw.ellipse([650, 110, 740, 210], fill=(178, 186, 194))
    draw.pieslice([610, 220, 780, 420], 180, 360, fill=(178, 186, 194))
    _text(draw, (x_label, 450), "公民身份号码", label, LABEL_COLOUR)
    _text(draw, (300, 444), id_number, 36, VALUE_COLOUR)
    return _finish(card, distortion)


def render_back(
    *, authority: str, valid_from: date, valid_to: date | None, distortion: Distortion | None = None
) -> bytes:
    """The back (national-emblem side) as PNG bytes: the title, 签发机关 and 有效期限
    ``YYYY.MM.DD-YYYY.MM.DD`` (``-长期`` when ``valid_to`` is None)."""
    distortion = distortion or Distortion()
    card = _background(distortion.seed + 1)
    draw = ImageDraw.Draw(card)
    # Emblem placeholder: concentric circles, no national emblem.
    draw.ellipse([60, 50, 200, 190], outline=(200, 80, 70), width=6)
    draw.ellipse([90, 80, 170, 160], outline=(200, 80, 70), width=3)
    _text(draw, (270, 70), "中华人民共和国", 46, VALUE_COLOUR)
    _text(draw, (270, 150), "居民身份证", 60, VALUE_COLOUR)
    end = "长期" if valid_to is None else f"{valid_to:%Y.%m.%d}"
    _text(draw, (150, 372), "签发机关", 26, LABEL_COLOUR)
    _text(draw, (290, 368), authority, 30, VALUE_COLOUR)
    _text(draw, (150, 440), "有效期限", 26, LABEL_COLOUR)
    _text(draw, (290, 436), f"{valid_from:%Y.%m.%d}-{end}", 30, VALUE_COLOUR)
    return _finish(card, distortion)
