"""ID-card OCR (#7): ``recognise_id_card`` on a front and a back vs the raw rapidocr calls on the same two images.

20 synthetic cards (Faker zh_CN people, seed 2026; slight blur, rotation and noise), rendered by
``loancrm.ocr.cards`` before timing. Per card the raw baseline (rapidocr on both PNGs, nothing else) and ours
(decode, OCR, side detection, parsing, checks) run back to back, so both see the same machine load. Prints p50
and p95 ms per card and how many cards were read with every field exact.

``python bench/run.py ocr_card`` (the figures in docs/performance.md); ``OCR_BENCH_CARDS`` sets the count.
"""

from __future__ import annotations

import os
import random
import statistics
import time
from datetime import date, timedelta
from typing import Any

N_CARDS = int(os.environ.get("OCR_BENCH_CARDS", "20"))
TODAY = date(2026, 12, 1)


def _cards(n: int) -> list[dict[str, Any]]:
    from faker import Faker

    from loancrm.core.china_ids import validate_id_number
    from loancrm.ocr.cards import Distortion, render_back, render_front

    fake = Faker("zh_CN")
    fake.seed_instance(2026)
    rng = random.Random(2026)
    cards = []
    for k in range(n):
        number = validate_id_number(fake.ssn(min_age=18, max_age=70), today=TODAY)
        district = fake.district()
        address = f"{fake.province()}{fake.city()}{district}区{fake.street_name()}{rng.randint(1, 300)}号"
        issued = TODAY - timedelta(days=rng.randint(30, 3000))
        issued = issued.replace(day=min(issued.day, 28))
        age = issued.year - number.birth_date.year  # 16-25: 10 years, 26-45: 20 years, 46 and over: 长期
        valid_to = None if age >= 46 else issued.replace(year=issued.year + (20 if age >= 26 else 10))
        distortion = Distortion(
            blur=rng.choice([0.0, 0.4, 0.7]), rotate=rng.uniform(-1.5, 1.5), noise=rng.choice([0.0, 3.0, 5.0]), seed=k
        )
        expected = {
            "name": fake.name(),
            "gender": "男" if number.gender == "M" else "女",
            "ethnicity": rng.choice(["汉", "汉", "汉", "回", "满", "壮", "维吾尔", "蒙古"]),
            "birth_date": number.birth_date.isoformat(),
            "address": address,
            "id_number": number.number,
            "authority": f"{fake.city_name()}市公安局{district}分局",
            "validity": f"{issued:%Y.%m.%d}-" + ("长期" if valid_to is None else f"{valid_to:%Y.%m.%d}"),
        }
        front = render_front(
            name=expected["name"],
            gender=expected["gender"],
            ethnicity=expected["ethnicity"],
            birth_date=number.birth_date,
            address=address,
            id_number=number.number,
            distortion=distortion,
        )
        back = render_back(authority=expected["authority"], valid_from=issued, valid_to=valid_to, distortion=distortion)
        cards.append({"front": front, "back": back, "expected": expected})
    return cards


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run(*, best_of: Any, report: Any) -> None:
    from loancrm.ocr.engine import get_engine
    from loancrm.ocr.lines import OcrLine
    from loancrm.ocr.service import recognise_id_card, result_from_lines

    started = time.perf_counter()
    engine = get_engine()
    created = time.perf_counter() - started
    cards = _cards(N_CARDS)
    engine(cards[0]["front"])  # warm onnxruntime
    raw, ours, exact, fields_right, needs_review, misread, read = [], [], 0, 0, 0, [], []
    for card in cards:
        start = time.perf_counter()
        front_raw, _ = engine(card["front"])
        back_raw, _ = engine(card["back"])
        raw.append(time.perf_counter() - start)
        read.append(
            [
                [OcrLine(text, score, tuple(map(tuple, box))) for box, text, score in side]
                for side in (front_raw, back_raw)
            ]
        )
        expected = card["expected"]
        start = time.perf_counter()
        result = recognise_id_card(
            card["front"], card["back"], entered_name=expected["name"], entered_id_number=expected["id_number"],
            today=TODAY,
        )  # fmt: skip
        ours.append(time.perf_counter() - start)
        right = sum(result.fields[key] == value for key, value in expected.items())
        misread += [
            f"{key}: {result.fields[key]!r} for {value!r}"
            for key, value in expected.items()
            if result.fields[key] != value
        ]
        fields_right += right
        exact += right == len(expected)
        needs_review += result.needs_review

    def post_ocr() -> None:
        for (front_lines, back_lines), card in zip(read, cards, strict=True):
            result_from_lines(front_lines, back_lines, entered_name=card["expected"]["name"],
                              entered_id_number=card["expected"]["id_number"], today=TODAY)  # fmt: skip

    post = best_of(post_ocr, 5) / N_CARDS
    unit = f"per card (front+back), {N_CARDS} cards"
    report("ocr: recognise_id_card p50", unit, statistics.median(ours), statistics.median(raw))
    report("ocr: recognise_id_card p95", unit, _percentile(ours, 0.95), _percentile(raw, 0.95))
    print(
        f"ocr: {exact}/{N_CARDS} cards with all 8 fields exact, {fields_right}/{8 * N_CARDS} fields exact, "
        f"{needs_review} flagged for review; engine created in {created * 1000:.0f} ms"
    )
    print(f"ocr: side detection + parsing + checks alone {post * 1e6:.0f} µs per card (on the raw calls' lines)")
    for line in misread:
        print(f"ocr: misread {line}")
