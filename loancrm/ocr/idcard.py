"""Read the fields of a second-generation resident ID card (第二代居民身份证) from OCR lines. Pure: no Django.

Front (portrait side): 姓名, 性别, 民族, 出生 (YYYY年M月D日), 住址 (one or more lines), 公民身份号码 (18 characters,
the last may be X). Back (emblem side): 签发机关 and 有效期限 (``YYYY.MM.DD-YYYY.MM.DD`` or ``YYYY.MM.DD-长期``).

Robust to what OCR commonly does to a card: a label glued to its value ("姓名张伟") or in its own box, a value on
the next line, full-width characters, spaces inside values, letters read for digits in numeric fields (O→0, l→1,
S→5, B→8 ...), a dash read as 一 and dots dropped from the validity period. Every field carries the lowest
confidence of the characters it was read from; a field that could not be read is ``None`` (never guessed).

Canonical values: gender "男"/"女"; ethnicity without a trailing 族; birth date ISO ``YYYY-MM-DD``; address with
its lines joined; ID number upper-case ASCII; validity ``YYYY.MM.DD-YYYY.MM.DD`` or ``YYYY.MM.DD-长期``.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date
from typing import Literal

from loancrm.ocr.lines import OcrLine, Row, group_rows

__all__ = [
    "ETHNICITIES",
    "BackSide",
    "Field",
    "FrontSide",
    "Side",
    "detect_side",
    "parse_back",
    "parse_front",
    "parse_validity",
]

Side = Literal["front", "back", "unknown"]

# The 56 recognised ethnic groups, as printed on the card (without 族).
_ETHNICITY_NAMES = (
    "汉 蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 "
    "傈僳 佤 畲 高山 拉祜 水 东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 "
    "毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 "
    "塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺"
)
ETHNICITIES = frozenset(_ETHNICITY_NAMES.split())

# Labels, with the slips OCR makes on them (a look-alike character, a dropped character).
_NAME = re.compile(r"[姓娃][名各]")
_GENDER = re.compile(r"[性牲][别別]")
_ETHNICITY = re.compile(r"民[族旅]")
_BIRTH = re.compile(r"出[生主]")
_ADDRESS = re.compile(r"[住佳往]址")
_ID_LABEL = re.compile(r"公民身份[号號]?[码碼]?|身份[号號][码碼]")
_AUTHORITY = re.compile(r"[签鉴]?发机[关美]")
_VALIDITY = re.compile(r"有效期[限艰]?|效期限")
_FRONT_LABELS = (_NAME, _GENDER, _ETHNICITY, _BIRTH, _ADDRESS, _ID_LABEL)
_BACK_MARKERS = (re.compile("中华人民共和国"), re.compile("居民身份证"), _AUTHORITY, _VALIDITY)

# Letters OCR reads for digits, applied only inside numeric fields.
_DIGIT_FIXES = str.maketrans(
    {"O": "0", "o": "0", "D": "0", "Q": "0", "U": "0", "I": "1", "l": "1", "i": "1", "|": "1", "!": "1",
     "Z": "2", "z": "2", "S": "5", "s": "5", "B": "8", "G": "6", "b": "6", "g": "9", "q": "9", "x": "X", "×": "X"}
)  # fmt: skip
_ID_RUN = re.compile(r"[0-9X]+")
_BIRTH_DATE = re.compile(r"(\d{4})年?(\d{1,2})月(\d{1,2})日?")
_NAME_CHARS = re.compile(r"[\u3400-\u9fff\uf900-\ufaff·]+")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_DIGITS = re.compile(r"\d")


@dataclass(frozen=True)
class Field:
    value: str
    confidence: float


@dataclass(frozen=True)
class FrontSide:
    name: Field | None = None
    gender: Field | None = None
    ethnicity: Field | None = None
    birth_date: Field | None = None
    address: Field | None = None
    id_number: Field | None = None

    def fields(self) -> dict[str, Field | None]:
        return {key: getattr(self, key) for key in asdict(self)}


@dataclass(frozen=True)
class BackSide:
    authority: Field | None = None
    validity: Field | None = None

    def fields(self) -> dict[str, Field | None]:
        return {key: getattr(self, key) for key in asdict(self)}


def detect_side(lines: list[OcrLine]) -> Side:
    """Which side of a card the lines were read from: the side with more of its labels present (at least two)."""
    text = "".join(row.text for row in group_rows(lines))
    front = sum(1 for label in _FRONT_LABELS if label.search(text))
    back = sum(1 for label in _BACK_MARKERS if label.search(text))
    if front >= 2 and front > back:
        return "front"
    if back >= 2 and back > front:
        return "back"
    return "unknown"


def _labelled(rows: list[Row], label: re.Pattern[str]) -> tuple[int, int] | None:
    """(row index, end of the label in that row) of the first row carrying ``label``."""
    for index, row in enumerate(rows):
        found = label.search(row.text)
        if found:
            return index, found.end()
    return None


def _is_label_row(row: Row) -> bool:
    return any(label.match(row.text) for label in (*_FRONT_LABELS, _AUTHORITY, _VALIDITY))


def _value_after(rows: list[Row], label: re.Pattern[str], value: re.Pattern[str]) -> tuple[Row, re.Match[str]] | None:
    """The first ``value`` match after ``label`` in its row, else at the start of the next row if that row is not
    another label."""
    place = _labelled(rows, label)
    if place is None:
        return None
    index, end = place
    found = value.search(rows[index].text, end)
    if found:
        return rows[index], found
    if index + 1 < len(rows) and not _is_label_row(rows[index + 1]):
        found = value.search(rows[index + 1].text)
        if found:
            return rows[index + 1], found
    return None


def _field(row: Row, start: int, end: int, value: str) -> Field:
    return Field(value, row.confidence(start, end))


def _name(rows: list[Row]) -> Field | None:
    hit = _value_after(rows, _NAME, _NAME_CHARS)
    if hit is None:
        return None
    row, found = hit
    return _field(row, found.start(), found.end(), found.group().strip("·"))


def _gender(rows: list[Row]) -> Field | None:
    hit = _value_after(rows, _GENDER, re.compile("[男女]"))
    if hit is None:  # the label lost entirely: a lone 男/女 at the start of the row holding 民族
        place = _labelled(rows, _ETHNICITY)
        found = re.match("[男女]", rows[place[0]].text) if place else None
        if place is None or found is None:
            return None
        hit = rows[place[0]], found
    row, found = hit
    return _field(row, found.start(), found.end(), found.group())


def _ethnicity(rows: list[Row]) -> Field | None:
    hit = _value_after(rows, _ETHNICITY, _CJK)
    if hit is None:
        return None
    row, found = hit
    value = found.group()
    if value.endswith("族") and value[:-1] in ETHNICITIES:
        value = value[:-1]
    return _field(row, found.start(), found.end(), value)


def _birth_date(rows: list[Row]) -> Field | None:
    candidates = []
    place = _labelled(rows, _BIRTH)
    if place is not None:
        candidates.append((rows[place[0]], place[1]))
        if place[0] + 1 < len(rows):
            candidates.append((rows[place[0] + 1], 0))
    candidates += [(row, 0) for row in rows]
    for row, start in candidates:
        text = row.text[start:].translate(_DIGIT_FIXES)
        found = _BIRTH_DATE.search(text)
        if found is None:
            continue
        try:
            born = date(int(found.group(1)), int(found.group(2)), int(found.group(3)))
        except ValueError:
            continue
        return _field(row, start + found.start(), start + found.end(), born.isoformat())
    return None


def _id_number_in(row: Row, start: int) -> Field | None:
    """The longest run of ID characters (after digit fixes) of at least 15 in ``row.text[start:]``."""
    text = row.text[start:].translate(_DIGIT_FIXES)
    runs = [found for found in _ID_RUN.finditer(text) if len(found.group()) >= 15]
    if not runs:
        return None
    best = max(runs, key=lambda found: len(found.group()))
    return _field(row, start + best.start(), start + best.end(), best.group())


def _id_number(rows: list[Row]) -> tuple[Field | None, int | None]:
    """The ID number and the index of its row."""
    place = _labelled(rows, _ID_LABEL)
    if place is not None:
        index, end = place
        found = _id_number_in(rows[index], end)
        if found:
            return found, index
        if index + 1 < len(rows):
            found = _id_number_in(rows[index + 1], 0)
            if found:
                return found, index + 1
    for index, row in enumerate(rows):
        found = _id_number_in(row, 0)
        if found:
            return found, index
    return None, None


def _address(rows: list[Row], stop: int | None) -> Field | None:
    place = _labelled(rows, _ADDRESS)
    if place is None:
        return None
    index, end = place
    parts: list[str] = []
    confidence = 1.0
    last = stop if stop is not None else len(rows)
    for position in range(index, last):
        row = rows[position]
        start = end if position == index else 0
        if position > index and (_is_label_row(row) or _ID_LABEL.search(row.text)):
            break
        piece = row.text[start:]
        if piece:
            parts.append(piece)
            confidence = min(confidence, row.confidence(start))
    value = "".join(parts)
    return Field(value, confidence) if value else None


def parse_front(lines: list[OcrLine]) -> FrontSide:
    rows = group_rows(lines)
    id_number, id_row = _id_number(rows)
    return FrontSide(
        name=_name(rows),
        gender=_gender(rows),
        ethnicity=_ethnicity(rows),
        birth_date=_birth_date(rows),
        address=_address(rows, id_row),
        id_number=id_number,
    )


def _validity(rows: list[Row]) -> Field | None:
    place = _labelled(rows, _VALIDITY)
    candidates = []
    if place is not None:
        candidates.append((rows[place[0]], place[1]))
        if place[0] + 1 < len(rows):
            candidates.append((rows[place[0] + 1], 0))
    for row, start in candidates:
        text = row.text[start:]
        fixed = text.translate(_DIGIT_FIXES)
        digits = "".join(_DIGITS.findall(fixed))
        if len(digits) == 16:
            value = f"{digits[:4]}.{digits[4:6]}.{digits[6:8]}-{digits[8:12]}.{digits[12:14]}.{digits[14:16]}"
        elif len(digits) == 8 and "长" in text:
            value = f"{digits[:4]}.{digits[4:6]}.{digits[6:8]}-长期"
        else:
            continue
        return Field(value, row.confidence(start))
    return None


def _authority(rows: list[Row]) -> Field | None:
    hit = _value_after(rows, _AUTHORITY, _CJK)
    if hit is None:
        return None
    row, found = hit
    return _field(row, found.start(), found.end(), found.group())


def parse_back(lines: list[OcrLine]) -> BackSide:
    rows = group_rows(lines)
    return BackSide(authority=_authority(rows), validity=_validity(rows))


def parse_validity(value: str) -> tuple[date, date | None] | None:
    """``(start, end)`` of a canonical validity value, ``end`` None for 长期; None when either date is not real."""
    found = re.fullmatch(r"(\d{4})\.(\d{2})\.(\d{2})-(?:(\d{4})\.(\d{2})\.(\d{2})|长期)", value)
    if found is None:
        return None
    parts = [int(part) if part else 0 for part in found.groups()]
    try:
        start = date(parts[0], parts[1], parts[2])
        end = date(parts[3], parts[4], parts[5]) if found.group(4) else None
    except ValueError:
        return None
    return start, end
