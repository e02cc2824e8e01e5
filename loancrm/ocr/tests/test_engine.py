"""The engine: one instance per process, created once under concurrency; input that is not an image is refused."""

from __future__ import annotations

import io
import threading

import pytest
from PIL import Image

from loancrm.ocr.engine import get_engine, read_lines
from loancrm.ocr.errors import UnreadableImage
from loancrm.ocr.tests.conftest import engine_once
from loancrm.ocr.tests.samples import CARDS_DIR

pytestmark = engine_once


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


UNREADABLE = [
    ("empty", b""),
    ("text", "姓名 张伟".encode()),
    ("pdf", b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"),
    ("truncated png", (CARDS_DIR / "zhang_front.png").read_bytes()[:2000]),
    ("decompression bomb (48 MP)", _png(Image.new("1", (8000, 6000)))),
]


@pytest.mark.parametrize(("case", "data"), UNREADABLE, ids=[c[0] for c in UNREADABLE])
def test_not_an_image_is_refused_with_a_stable_code(case, data):
    with pytest.raises(UnreadableImage) as caught:
        read_lines(data)
    assert caught.value.code == "ocr_unreadable_image"
    assert caught.value.status == 400


def test_image_without_text_has_no_lines(read_image):
    blank = _png(Image.new("RGB", (640, 400), (245, 245, 245)))
    assert read_image("blank", blank) == []


def test_one_engine_per_process_even_when_first_used_from_many_threads(read_image):
    seen: list[object] = []
    threads = [threading.Thread(target=lambda: seen.append(get_engine())) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 8
    assert all(engine is seen[0] for engine in seen)


def test_concurrent_reads_give_the_same_lines(read_image):
    png = (CARDS_DIR / "wang_back.png").read_bytes()
    expected = read_image("wang_back.png", png)  # the end-to-end tests reuse these lines
    assert [line.text for line in expected][-1] == "2005.04.10-2025.04.10"
    results: list[list[str]] = []
    threads = [threading.Thread(target=lambda: results.append([ln.text for ln in read_lines(png)])) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [[line.text for line in expected]] * 2
