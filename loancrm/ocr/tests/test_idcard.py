"""Card parser on hand-written OCR output: clean reads, labels glued or split, full-width forms, digit slips."""

from __future__ import annotations

import pytest

from loancrm.ocr.idcard import Field, detect_side, parse_back, parse_front, parse_validity
from loancrm.ocr.lines import OcrLine, group_rows


def lines(*texts: str | tuple[str, float]) -> list[OcrLine]:
    return [OcrLine(t, 0.99) if isinstance(t, str) else OcrLine(t[0], t[1]) for t in texts]


def box(x: float, y: float, w: float, h: float = 30) -> tuple[tuple[float, float], ...]:
    return ((x, y), (x + w, y), (x + w, y + h), (x, y + h))


CLEAN_FRONT = lines(
    "姓名张伟",
    "性别男",
    "民族汉",
    "出生1990年3月7日",
    "住址北京市朝阳区建国路88",
    "号院3号楼2单元501",
    "室",
    "公民身份号码",
    "110105199003070017",
)
EXPECTED = {
    "name": "张伟",
    "gender": "男",
    "ethnicity": "汉",
    "birth_date": "1990-03-07",
    "address": "北京市朝阳区建国路88号院3号楼2单元501室",
    "id_number": "110105199003070017",
}

FRONT_CASES = [
    ("clean, labels glued to values", CLEAN_FRONT, EXPECTED),
    (
        "labels in their own lines, values on the next",
        lines(
            "姓名",
            "张伟",
            "性别",
            "男",
            "民族",
            "汉",
            "出生",
            "1990年3月7日",
            "住址",
            "北京市朝阳区建国路88号院3号楼2单元501室",
            "公民身份号码",
            "110105199003070017",
        ),
        EXPECTED,
    ),
    (
        "gender and ethnicity on one line, spaces everywhere",
        lines(
            "姓 名  张 伟",
            "性 别 男   民 族 汉",
            "出 生 1990 年 3 月 7 日",
            "住 址 北京市朝阳区建国路88号院3号楼2单元501室",
            "公民身份号码 1101 0519 9003 0700 17",
        ),
        EXPECTED,
    ),
    (
        "full-width digits, X and spaces",
        lines(
            "姓名　张伟",
            "性别男民族汉",
            "出生１９９０年３月７日",
            "住址北京市朝阳区建国路８８号院３号楼２单元５０１室",
            "公民身份号码４４０３０５１９５８０６１５０２８ｘ",
        ),
        EXPECTED | {"id_number": "44030519580615028X"},
    ),
    (
        "letters read for digits: O for 0, l for 1, S for 5, B for 8",
        lines(
            "姓名张伟",
            "性别男",
            "民族汉",
            "出生199O年3月7日",
            "住址北京市朝阳区建国路88号院3号楼2单元501室",
            "公民身份号码l1O1O5199OO3O7OOl7",
        ),
        EXPECTED,
    ),
    (
        "label slips: 娃名, 住址 read as 佳址, ID label shortened",
        lines(
            "娃名张伟",
            "性别男",
            "民族汉",
            "出生1990年3月7日",
            "佳址北京市朝阳区建国路88号院3号楼2单元501室",
            "身份号码110105199003070017",
        ),
        EXPECTED,
    ),
    (
        "minority name with a middle dot, ethnicity printed with 族",
        lines(
            "姓名阿依古丽·买买提",
            "性别女",
            "民族维吾尔族",
            "出生1985年11月23日",
            "住址新疆乌鲁木齐市天山区解放南",
            "路120号",
            "公民身份号码650102198511230023",
        ),
        {
            "name": "阿依古丽·买买提",
            "gender": "女",
            "ethnicity": "维吾尔",
            "birth_date": "1985-11-23",
            "address": "新疆乌鲁木齐市天山区解放南路120号",
            "id_number": "650102198511230023",
        },
    ),
    (
        "ID number without its label",
        lines(
            "姓名张伟",
            "性别男",
            "民族汉",
            "出生1990年3月7日",
            "住址北京市朝阳区建国路88号院3号楼2单元501室",
            "110105199003070017",
        ),
        EXPECTED,
    ),
    (
        "nothing readable",
        lines("模糊", "一二三"),
        dict.fromkeys(EXPECTED),
    ),
    (
        "impossible birth date is not guessed",
        lines("姓名张伟", "出生1990年2月30日"),
        dict.fromkeys(EXPECTED) | {"name": "张伟"},
    ),
]


@pytest.mark.parametrize(("case", "ocr", "expected"), FRONT_CASES, ids=[c[0] for c in FRONT_CASES])
def test_parse_front(case, ocr, expected):
    front = parse_front(ocr)
    got = {key: (value.value if value else None) for key, value in front.fields().items()}
    assert got == expected


BACK_CASES = [
    (
        "clean",
        lines("中华人民共和国", "居民身份证", "签发机关北京市公安局朝阳分局", "有效期限2015.03.01-2035.03.01"),
        ("北京市公安局朝阳分局", "2015.03.01-2035.03.01"),
    ),
    (
        "long-term",
        lines("签发机关", "深圳市公安局南山分局", "有效期限", "2016.08.01-长期"),
        ("深圳市公安局南山分局", "2016.08.01-长期"),
    ),
    (
        "dash read as 一, dots lost, O for 0",
        lines("签发机关 银川市公安局兴庆区分局", "有效期限 2OO5.04.1O一2025 04 10"),
        ("银川市公安局兴庆区分局", "2005.04.10-2025.04.10"),
    ),
    (
        "full-width digits and dash",
        lines("签发机关上海市公安局浦东分局", "有效期限２０２１．０１．１５－２０３１．０１．１５"),
        ("上海市公安局浦东分局", "2021.01.15-2031.01.15"),
    ),
    (
        "label slip 签发机美",
        lines("签发机美南京市公安局玄武分局", "有效期限2019.09.09-2029.09.09"),
        ("南京市公安局玄武分局", "2019.09.09-2029.09.09"),
    ),
    (
        "validity truncated",
        lines("签发机关南京市公安局玄武分局", "有效期限2019.09.09-2029"),
        ("南京市公安局玄武分局", None),
    ),
]


@pytest.mark.parametrize(("case", "ocr", "expected"), BACK_CASES, ids=[c[0] for c in BACK_CASES])
def test_parse_back(case, ocr, expected):
    back = parse_back(ocr)
    got = (back.authority.value if back.authority else None, back.validity.value if back.validity else None)
    assert got == expected


@pytest.mark.parametrize(
    ("ocr", "side"),
    [
        (CLEAN_FRONT, "front"),
        (lines("中华人民共和国", "居民身份证", "签发机关某某公安局", "有效期限2015.03.01-长期"), "back"),
        (lines("签发机关某某公安局", "有效期限2015.03.01-长期"), "back"),
        (lines("姓名张伟"), "unknown"),
        (lines("营业执照", "统一社会信用代码"), "unknown"),
        ([], "unknown"),
    ],
)
def test_detect_side(ocr, side):
    assert detect_side(ocr) == side


def test_field_confidence_is_that_of_its_own_characters():
    """Given a label box read at 0.70 and its value at 0.99 on one visual line, the value's confidence is 0.99."""
    ocr = [
        OcrLine("姓名", 0.70, box(90, 100, 60)),
        OcrLine("张伟", 0.99, box(180, 102, 70)),
        OcrLine("公民身份号码", 0.98, box(90, 500, 150)),
        OcrLine("1101051990030700", 0.95, box(340, 498, 280)),
        OcrLine("17", 0.80, box(625, 499, 40)),
    ]
    front = parse_front(ocr)
    assert front.name == Field("张伟", 0.99)
    assert front.id_number == Field("110105199003070017", 0.80)


def test_boxes_on_one_visual_line_join_left_to_right():
    ocr = [
        OcrLine("民族汉", 0.99, box(285, 170, 130, 40)),
        OcrLine("性别", 0.99, box(94, 174, 60, 33)),
        OcrLine("男", 0.99, box(186, 174, 36, 32)),
        OcrLine("姓名张伟", 0.99, box(93, 105, 160, 35)),
    ]
    assert [row.text for row in group_rows(ocr)] == ["姓名张伟", "性别男民族汉"]


def test_overlapping_boxes_repeating_characters_keep_them_once_from_the_surer_box():
    """Given overlapping boxes "姓名高" (0.878) and "高丽娟" (0.999), the name is 高丽娟 at 0.999."""
    ocr = [OcrLine("姓名高", 0.878, box(89, 107, 120, 38)), OcrLine("高丽娟", 0.999, box(178, 106, 110, 41))]
    assert parse_front(ocr).name == Field("高丽娟", 0.999)
    assert [row.text for row in group_rows(ocr)] == ["姓名高丽娟"]


def test_adjacent_boxes_that_do_not_overlap_keep_repeated_characters():
    ocr = [OcrLine("住址上海市", 0.99, box(90, 300, 150)), OcrLine("市中心路1号", 0.99, box(250, 300, 150))]
    assert [row.text for row in group_rows(ocr)] == ["住址上海市市中心路1号"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2015.03.01-2035.03.01", ("2015-03-01", "2035-03-01")),
        ("2016.08.01-长期", ("2016-08-01", None)),
        ("2015.02.30-2035.02.28", None),
        ("2015.03.01", None),
    ],
)
def test_parse_validity(value, expected):
    period = parse_validity(value)
    got = None if period is None else (period[0].isoformat(), period[1].isoformat() if period[1] else None)
    assert got == expected
