"""The user-facing message for each way an ID number can fail ``core.china_ids.validate_id_number``."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from loancrm.core.china_ids import InvalidIdNumber

ID_MESSAGES = {
    "id_check_digit": _("The ID number's check digit is wrong."),
    "id_birth_future": _("The birth date in the ID number is in the future."),
    "id_birth_date": _("The birth date in the ID number is not a real date."),
    "id_province": _("The ID number's region code does not exist."),
    "id_legacy_15": _("15-digit ID numbers are no longer valid."),
}


def id_number_message(exc: InvalidIdNumber) -> Any:
    return ID_MESSAGES.get(exc.code, _("Enter a valid ID number."))
