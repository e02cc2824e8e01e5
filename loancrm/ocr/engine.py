"""The OCR engine: one rapidocr (PP-OCRv4 det/rec + mobile cls ONNX models shipped inside the wheel) per process.

- Created lazily on first use (``get_engine``); importing this module does not load onnxruntime or the models.
  Creating it takes about 0.5 s and ~200 MB of memory; the first recognition warms onnxruntime.
- Thread-safe: creation is guarded by a lock, and recognitions are serialised by a second lock because rapidocr's
  text detector keeps per-call state on the instance. onnxruntime already uses every core for one image, so
  parallel calls in one process would not be faster; scale out with more worker processes.
- Offline: the models are read from the installed package; nothing is downloaded.
"""

from __future__ import annotations

import io
import threading
import warnings
from typing import Any

from PIL import Image, ImageOps, UnidentifiedImageError

from loancrm.ocr.errors import UnreadableImage
from loancrm.ocr.lines import OcrLine

__all__ = ["MAX_PIXELS", "get_engine", "read_lines", "reset_engine"]

MAX_PIXELS = 40_000_000  # a phone photo is ~12 MP; refuse decompression bombs well before Pillow's own limit

_engine: Any = None
_create_lock = threading.Lock()
_run_lock = threading.Lock()


def get_engine() -> Any:
    """The process-wide rapidocr instance, created on first call."""
    global _engine
    if _engine is None:
        with _create_lock:
            if _engine is None:
                from rapidocr_onnxruntime import RapidOCR

                _engine = RapidOCR()
    return _engine


def reset_engine() -> None:
    """Drop the engine (tests; a worker that wants its memory back). The next call creates a new one."""
    global _engine
    with _create_lock:
        _engine = None


def decode_image(image_bytes: bytes) -> Image.Image:
    """An RGB Pillow image, upright per its EXIF orientation; ``UnreadableImage`` for anything else."""
    if not image_bytes:
        raise UnreadableImage()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(image_bytes))
            if image.width * image.height > MAX_PIXELS:
                raise UnreadableImage()
            image.load()
            upright = ImageOps.exif_transpose(image)
            return upright.convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError,
            Image.DecompressionBombWarning) as exc:  # fmt: skip
        raise UnreadableImage() from exc


def read_lines(image_bytes: bytes) -> list[OcrLine]:
    """The text lines of an image (PNG, JPEG, WebP, ... anything Pillow reads), top to bottom.

    ``UnreadableImage`` when the bytes are not a decodable image. An image without text gives ``[]``.
    """
    image = decode_image(image_bytes)
    engine = get_engine()
    with _run_lock:
        result, _elapsed = engine(image)
    lines = []
    for box, text, score in result or []:
        corners = tuple((float(x), float(y)) for x, y in box)
        lines.append(OcrLine(text=str(text), confidence=float(score), box=corners))  # type: ignore[arg-type]
    return lines
