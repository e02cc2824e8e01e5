"""One statement line's cells → a ``ParsedLine`` (pure: no Django).

Invariants: amounts are Decimal on the fen — a cell with more decimals is accepted only when it is a fen amount
written with float noise by a spreadsheet (within 1e-6 of the fen), never rounded otherwise; an amount must be
positive and below 10^16; dates are ISO (2026-02-15, 2026/2/15, 2026.02.15, 20260215, optionally with a time),
Chinese (2026年2月15日) or an Excel date serial; a bank transaction id is 1–64 characters and not a number that a
spreadsheet turned into 1.2E+19 (its digits are gone). A line that cannot be read carries a reason code
(``reasons``, with the offending cell after a colon) in ``problem``; which loan a line pays is the poster's business
(the contract column, else a token of the memo: ``memo_candidates``).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from loancrm.loans.statements.columns import AMOUNT, CONTRACT, DATE, MEMO, TXN_ID

FEN = Decimal("0.01")
NOISE = Decimal("0.000001")
MAX_AMOUNT = Decimal("1E16")
EXCEL_EPOCH = dt.date(1899, 12, 30)
_CURRENCY = re.compile(r"(?i)rmb|cny|[¥￥元,\s]")
_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T].*)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:[ T]?\d{2}:?\d{2}(?::?\d{2})?)?$")
_CHINESE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日")
_SERIAL = re.compile(r"^\d{5}(?:\.\d+)?$")
_SCIENTIFIC = re.compile(r"^\d+(?:\.\d+)?[eE]\+?\d+$")
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-_/]{3,39}")


class ParsedLine:
    """A statement line as read: ``problem`` is "" for a readable line, else a reason code."""

    __slots__ = ("amount", "contract_no", "line_no", "memo", "paid_on", "problem", "txn_id")

    def __init__(
        self, line_no: int, txn_id: str, contract_no: str, memo: str, amount: Decimal | None,
        paid_on: dt.date | None, problem: str = "",
    ) -> None:  # fmt: skip
        self.line_no, self.txn_id, self.contract_no, self.memo = line_no, txn_id, contract_no, memo
        self.amount, self.paid_on, self.problem = amount, paid_on, problem

    def __repr__(self) -> str:
        return f"ParsedLine({self.line_no}, {self.txn_id!r}, {self.contract_no!r}, {self.amount}, {self.paid_on})"


def _plain(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def parse_amount(text: str) -> Decimal | None:
    """A positive fen amount, or None when the cell is not one."""
    cleaned = _CURRENCY.sub("", _plain(text))
    if not cleaned or cleaned.startswith(("(", "-")):
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    if not value.is_finite():
        return None
    fen = value.quantize(FEN)
    if fen != value and abs(fen - value) >= NOISE:
        return None
    if fen <= 0 or fen >= MAX_AMOUNT:
        return None
    return fen


def parse_date(text: str) -> dt.date | None:
    cleaned = _plain(text)
    match = _ISO.match(cleaned) or _COMPACT.match(cleaned) or _CHINESE.match(cleaned)
    try:
        if match:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        if _SERIAL.match(cleaned) and 20000 <= float(cleaned) < 80000:
            return EXCEL_EPOCH + dt.timedelta(days=int(float(cleaned)))
    except ValueError:
        return None
    return None


def memo_candidates(memo: str) -> list[str]:
    """Tokens of a memo that could be a contract number (4–40 letters, digits, ``- _ /``, with a digit)."""
    found = []
    for token in _TOKEN.findall(unicodedata.normalize("NFKC", memo)):
        if any(char.isdigit() for char in token):
            found.append(token)
            if token.upper() != token:
                found.append(token.upper())
    return found


def _cell(cells: list[str], columns: dict[str, int], name: str) -> str:
    index = columns.get(name)
    return cells[index] if index is not None and index < len(cells) else ""


def parse_line(line_no: int, cells: list[str], columns: dict[str, int]) -> ParsedLine:
    txn_id = _plain(_cell(cells, columns, TXN_ID))
    contract_no = _plain(_cell(cells, columns, CONTRACT))[:40]
    memo = _cell(cells, columns, MEMO).strip()[:200]
    amount_text, date_text = _cell(cells, columns, AMOUNT), _cell(cells, columns, DATE)
    amount, paid_on = parse_amount(amount_text), parse_date(date_text)
    problem = ""
    if not txn_id:
        problem = "no_txn_id"
    elif len(txn_id) > 64:
        problem, txn_id = "txn_id_too_long", txn_id[:64]
    elif _SCIENTIFIC.match(txn_id):
        problem = "txn_id_number"
    elif amount is None:
        problem = f"bad_amount:{amount_text.strip()[:60]}"
    elif paid_on is None:
        problem = f"bad_date:{date_text.strip()[:60]}"
    return ParsedLine(line_no, txn_id, contract_no, memo, amount, paid_on, problem)
