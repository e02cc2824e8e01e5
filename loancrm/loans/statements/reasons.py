"""Why a statement line was not posted: the reason codes kept in ``StatementLine.note`` ("code" or "code:detail")
and their labels in the reader's language."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from loancrm.loans.choices import LoanStatus


def _status(value: str) -> Any:
    try:
        return LoanStatus(value).label
    except ValueError:
        return value


LABELS = {
    "no_txn_id": lambda _d: _("No bank transaction id."),
    "txn_id_too_long": lambda _d: _("The bank transaction id is longer than 64 characters."),
    "txn_id_number": lambda _d: _("The bank transaction id was saved as a number and has lost digits."),
    "bad_amount": lambda d: _("Not a positive amount in yuan with at most two decimals: %(value)s") % {"value": d},
    "bad_date": lambda d: _("Not a date: %(value)s") % {"value": d},
    "future_date": lambda _d: _("The date is after the business date."),
    "duplicate_in_file": lambda _d: _("The same bank transaction id is on an earlier line of this file."),
    "posted_before": lambda d: _("Already posted from bank statement #%(id)s.") % {"id": d},
    "posted_by_notification": lambda _d: _("Already posted from the channel's payment notification."),
    "unknown_contract": lambda d: _("No loan has the contract number %(value)s.") % {"value": d},
    "no_contract_in_memo": lambda _d: _("No contract number, and none in the memo."),
    "no_contract": lambda _d: _("No contract number."),
    "ambiguous_memo": lambda _d: _("The memo names more than one loan."),
    "loan_not_open": lambda d: _("The loan is %(status)s.") % {"status": _status(d)},
}


def reason_label(note: str) -> str:
    """The label of a reason code ("" for a posted line; an unknown code is shown as it is)."""
    if not note:
        return ""
    code, _sep, detail = note.partition(":")
    label = LABELS.get(code)
    return str(label(detail)) if label else note
