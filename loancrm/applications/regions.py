"""A short list of residence regions (city-level administrative division codes, GB/T 2260) for the H5 and
back-office pickers; the default is the region read from the applicant's ID number."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

CITIES: tuple[tuple[str, str], ...] = (
    ("110100", "北京市"), ("120100", "天津市"), ("310100", "上海市"), ("500100", "重庆市"),
    ("130100", "河北省 石家庄市"), ("140100", "山西省 太原市"), ("150100", "内蒙古 呼和浩特市"),
    ("210100", "辽宁省 沈阳市"), ("210200", "辽宁省 大连市"), ("220100", "吉林省 长春市"),
    ("230100", "黑龙江省 哈尔滨市"), ("320100", "江苏省 南京市"), ("320500", "江苏省 苏州市"),
    ("330100", "浙江省 杭州市"), ("330200", "浙江省 宁波市"), ("340100", "安徽省 合肥市"),
    ("350100", "福建省 福州市"), ("350200", "福建省 厦门市"), ("360100", "江西省 南昌市"),
    ("370100", "山东省 济南市"), ("370200", "山东省 青岛市"), ("410100", "河南省 郑州市"),
    ("420100", "湖北省 武汉市"), ("430100", "湖南省 长沙市"), ("440100", "广东省 广州市"),
    ("440300", "广东省 深圳市"), ("441900", "广东省 东莞市"), ("450100", "广西 南宁市"),
    ("460100", "海南省 海口市"), ("510100", "四川省 成都市"), ("520100", "贵州省 贵阳市"),
    ("530100", "云南省 昆明市"), ("540100", "西藏 拉萨市"), ("610100", "陕西省 西安市"),
    ("620100", "甘肃省 兰州市"), ("630100", "青海省 西宁市"), ("640100", "宁夏 银川市"),
    ("650100", "新疆 乌鲁木齐市"),
)  # fmt: skip
NAMES = dict(CITIES)


def region_choices(id_region: str = "", current: str = "") -> list[tuple[str, Any]]:
    """The picker's options: the region of the ID number first, then the current value, then the city list."""
    choices: list[tuple[str, Any]] = [("", _("Choose"))]
    if id_region:
        label = NAMES.get(id_region[:4] + "00", "")
        choices.append((id_region, _("As on my ID card (%(code)s)") % {"code": f"{label} {id_region}".strip()}))
    if current and current not in {value for value, _label in choices} and current not in NAMES:
        choices.append((current, current))
    choices += [(code, f"{name} ({code})") for code, name in CITIES if code != id_region]
    return choices


def region_label(code: str) -> str:
    if not code:
        return ""
    name = NAMES.get(code) or NAMES.get(code[:4] + "00", "")
    return f"{name} ({code})" if name else code
