"""The words of portfolio imports: field labels and the message of each row-error code, in the active language.

Errors are stored as codes with parameters (``RowError.as_dict``), never as text, so the preview, the page and the
downloaded file show them in the reader's language; no personal data is stored with them.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy as _

from loancrm.core.id_messages import ID_MESSAGES

FIELD_LABELS: dict[str, Any] = {
    "contract_no": _("Contract number"),
    "customer_name": _("Customer name"),
    "id_number": _("ID number"),
    "mobile": _("mobile"),
    "product_code": _("Product code"),
    "principal": _("Principal"),
    "annual_rate": _("Annual rate"),
    "term_months": _("Term (months)"),
    "term_days": _("Term (days)"),
    "method": _("Repayment method"),
    "start_date": _("Disbursement date"),
    "repaid_total": _("Repaid to date"),
    "last_repaid_on": _("Last repayment date"),
    "officer": _("Account officer (username)"),
}
MESSAGES: dict[str, Any] = {
    **ID_MESSAGES,
    "required": _("This field is required."),
    "too_long": _("At most %(max)s characters."),
    "id_length": _("Enter a valid ID number."),
    "id_chars": _("Enter a valid ID number."),
    "mobile_invalid": _("Enter a mainland mobile number."),
    "amount_invalid": _("Enter an amount such as 100000.00."),
    "amount_decimals": _("An amount has at most two decimals."),
    "amount_positive": _("The amount must be more than zero."),
    "amount_negative": _("The amount cannot be negative."),
    "rate_invalid": _("Enter the annual rate as a percentage (6%) or a fraction (0.06)."),
    "rate_ambiguous": _("A rate above 1 is ambiguous: write it as a percentage (6%) or a fraction (0.06)."),
    "rate_range": _("The annual rate must be from 0% to 100%."),
    "term_months_range": _("The term is a whole number of months from 1 to %(max)s."),
    "term_days_range": _("The term is a whole number of days from 1 to %(max)s."),
    "term_days_method": _("A term in days is only for loans repaid at maturity (到期还本付息)."),
    "term_both": _("Give the term in months or in days, not both."),
    "term_missing": _("Give the term in months (or in days for a loan repaid at maturity)."),
    "method_unknown": _("Unknown repayment method: use 等额本息, 等额本金, 先息后本 or 到期还本付息."),
    "date_invalid": _("Enter a date such as 2026-01-15."),
    "date_future": _("The date is after the business date (%(date)s)."),
    "date_before_start": _("The date is before the disbursement date."),
    "date_without_amount": _("A last repayment date needs an amount repaid to date."),
    "repaid_exceeds": _("The amount repaid is more than the loan's whole schedule (%(total)s)."),
    "schedule_invalid": _("No schedule can be made from these terms: %(detail)s"),
    "contract_twice": _("This contract number is already in row %(row)s of the file."),
    "contract_conflict": _("A loan with this contract number is already booked with other terms or another customer."),
    "customer_name_mismatch": _("This ID number belongs to customer %(number)s under another name."),
    "customer_name_mismatch_file": _("This ID number is in row %(row)s of the file under another name."),
    "mobile_taken": _("This mobile number is the main mobile of customer %(number)s."),
    "mobile_taken_file": _("This mobile number is used for another person in row %(row)s of the file."),
    "officer_unknown": _("No active user has this username."),
    "booking_refused": _("The loan could not be booked: %(detail)s"),
}


def error_message(error: dict[str, Any]) -> str:
    """The message of a stored row error in the active language."""
    template = MESSAGES.get(error.get("code", ""))
    if template is None:
        return str(error.get("params", {}).get("detail") or error.get("code", ""))
    params = error.get("params") or {}
    text = str(template)
    return text % params if params and "%(" in text else text


def field_label(name: str) -> str:
    return str(FIELD_LABELS.get(name, name)) if name else _gettext("Row")
