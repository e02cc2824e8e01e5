"""Amounts in Chinese capitals (人民币大写) as written on contracts and cheques (pure: no Django).

Conventions (《支付结算办法》附件一): digits 零壹贰叁肆伍陆柒捌玖, units 拾佰仟 within a section of four digits and
万 / 亿 / 万亿 between sections; ten is written 壹拾; a run of zeros inside the number is one 零 (also across a
section that is all zeros); an amount ending in 元 ends in 整; after 元 a 零 is written when the 元 digit is zero and
角 or 分 follow (壹仟陆佰捌拾元零叁角贰分), and when 角 is zero but 分 is not (壹元零伍分). The amount is rounded
ROUND_HALF_UP to the fen first.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

DIGITS = "零壹贰叁肆伍陆柒捌玖"
UNITS = ("", "拾", "佰", "仟")
SECTIONS = ("", "万", "亿", "万亿")
LIMIT = Decimal(10) ** 16


def _section(value: int) -> str:
    """Four digits (1..9999) without their section unit; inner zero runs become one 零."""
    text, zero = "", False
    for position in range(3, -1, -1):
        digit = value // 10**position % 10
        if digit == 0:
            zero = bool(text)
            continue
        if zero:
            text += "零"
            zero = False
        text += DIGITS[digit] + UNITS[position]
    return text


def _integer(value: int) -> str:
    sections: list[int] = []
    while value:
        sections.append(value % 10_000)
        value //= 10_000
    text, pending_zero = "", False
    for index in range(len(sections) - 1, -1, -1):
        section = sections[index]
        if section == 0:
            pending_zero = bool(text)
            continue
        if text and (pending_zero or section < 1000):
            text += "零"
        text += _section(section) + SECTIONS[index]
        pending_zero = False
    return text


def amount_in_words(amount: Decimal) -> str:
    """``Decimal("120345.60")`` → ``"壹拾贰万零叁佰肆拾伍元陆角"``; zero is ``"零元整"``."""
    if not isinstance(amount, Decimal):
        raise TypeError("amount must be a Decimal")
    value = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if value < 0:
        raise ValueError("amount must not be negative")
    if value >= LIMIT:
        raise ValueError("amount too large")
    fen_total = int(value * 100)
    yuan, jiao, fen = fen_total // 100, fen_total // 10 % 10, fen_total % 10
    if fen_total == 0:
        return "零元整"
    text = ""
    if yuan:
        text = _integer(yuan) + "元"
    if jiao == 0 and fen == 0:
        return text + "整"
    if yuan and (yuan % 10 == 0 or jiao == 0):
        text += "零"
    if jiao:
        text += DIGITS[jiao] + "角"
    if fen:
        text += DIGITS[fen] + "分"
    return text
