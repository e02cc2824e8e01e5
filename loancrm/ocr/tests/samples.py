"""Sample cards: the parameters of the committed PNGs in ``cards/`` and of the freshly rendered ones.

``python -m loancrm.ocr.tests.samples`` rewrites the committed PNGs (after a change to ``cards.py``).
All people, numbers and addresses are invented; the ID numbers carry valid check digits.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from loancrm.ocr.cards import Distortion, render_back, render_front

CARDS_DIR = Path(__file__).resolve().parent / "cards"
TODAY = date(2026, 12, 1)


@dataclass(frozen=True)
class Sample:
    key: str
    name: str
    gender: str
    ethnicity: str
    birth_date: date
    address: str
    id_number: str
    authority: str
    valid_from: date
    valid_to: date | None
    distortion: Distortion = field(default_factory=Distortion)

    def front(self) -> bytes:
        return render_front(
            name=self.name,
            gender=self.gender,
            ethnicity=self.ethnicity,
            birth_date=self.birth_date,
            address=self.address,
            id_number=self.id_number,
            distortion=self.distortion,
        )

    def back(self) -> bytes:
        return render_back(
            authority=self.authority, valid_from=self.valid_from, valid_to=self.valid_to, distortion=self.distortion
        )

    @property
    def validity(self) -> str:
        end = "长期" if self.valid_to is None else f"{self.valid_to:%Y.%m.%d}"
        return f"{self.valid_from:%Y.%m.%d}-{end}"

    def expected(self) -> dict[str, str]:
        return {
            "name": self.name,
            "gender": self.gender,
            "ethnicity": self.ethnicity,
            "birth_date": self.birth_date.isoformat(),
            "address": self.address,
            "id_number": self.id_number,
            "authority": self.authority,
            "validity": self.validity,
        }

    def paths(self) -> tuple[Path, Path]:
        return CARDS_DIR / f"{self.key}_front.png", CARDS_DIR / f"{self.key}_back.png"


# Committed as PNGs: a clean scan, a minority name with a middle dot and a long address, a long-term card with an X
# check digit photographed slightly askew and soft, and an expired card.
COMMITTED = (
    Sample("zhang", "张伟", "男", "汉", date(1990, 3, 7), "北京市朝阳区建国路88号院3号楼2单元501室",
           "110105199003070017", "北京市公安局朝阳分局", date(2015, 3, 1), date(2035, 3, 1)),
    Sample("ayi", "阿依古丽·买买提", "女", "维吾尔", date(1985, 11, 23), "新疆乌鲁木齐市天山区解放南路120号",
           "650102198511230023", "乌鲁木齐市公安局天山分局", date(2010, 5, 20), date(2030, 5, 20),
           Distortion(rotate=-1.0, seed=2)),
    Sample("li", "李秀英", "女", "汉", date(1958, 6, 15), "广东省深圳市南山区科技园南区高新南七道18号",
           "44030519580615028X", "深圳市公安局南山分局", date(2016, 8, 1), None,
           Distortion(blur=0.8, rotate=1.5, seed=3)),
    Sample("wang", "王建国", "男", "回", date(1979, 1, 30), "宁夏银川市兴庆区解放西街6号",
           "640104197901300038", "银川市公安局兴庆区分局", date(2005, 4, 10), date(2025, 4, 10)),
)  # fmt: skip

# Rendered afresh by the tests, with noise.
FRESH = (
    Sample("chen", "陈思远", "男", "汉", date(1988, 8, 8), "江苏省南京市玄武区中山路321号",
           "32010619880808103X", "南京市公安局玄武分局", date(2019, 9, 9), date(2029, 9, 9),
           Distortion(noise=6.0, rotate=0.7, seed=11)),
    Sample("zhou", "周丽", "女", "满", date(1992, 2, 29), "上海市浦东新区世纪大道1000号",
           "310115199202290047", "上海市公安局浦东分局", date(2021, 1, 15), date(2031, 1, 15),
           Distortion(blur=0.6, noise=4.0, seed=12)),
)  # fmt: skip


def write_committed() -> None:
    CARDS_DIR.mkdir(exist_ok=True)
    for sample in COMMITTED:
        front, back = sample.paths()
        front.write_bytes(sample.front())
        back.write_bytes(sample.back())
        sys.stdout.write(f"{front.name} {front.stat().st_size} B, {back.name} {back.stat().st_size} B\n")


if __name__ == "__main__":
    write_committed()
