"""Human messages for the OCR findings (``loancrm.ocr.checks``), in the active language (Chinese by default)."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext, gettext_noop, pgettext_lazy

__all__ = ["FIELD_LABELS", "MESSAGES", "field_label", "finding_message"]

FIELD_LABELS = {
    "name": pgettext_lazy("id card", "name"),
    "gender": pgettext_lazy("id card", "gender"),
    "ethnicity": pgettext_lazy("id card", "ethnicity"),
    "birth_date": pgettext_lazy("id card", "birth date"),
    "address": pgettext_lazy("id card", "address"),
    "id_number": pgettext_lazy("id card", "ID number"),
    "authority": pgettext_lazy("id card", "issuing authority"),
    "validity": pgettext_lazy("id card", "validity period"),
    "front": pgettext_lazy("id card", "front image"),
    "back": pgettext_lazy("id card", "back image"),
}

MESSAGES = {
    "missing_field": gettext_noop("The %(field)s could not be read from the ID card."),
    "low_confidence": gettext_noop(
        "The %(field)s was read with low confidence (%(confidence)s, threshold %(threshold)s); check it by eye."
    ),
    "back_missing": gettext_noop("The back of the ID card was not supplied, so its validity was not checked."),
    "id_malformed": gettext_noop("The ID number on the card is not 17 digits followed by a digit or X."),
    "id_region_unknown": gettext_noop("The region code %(region)s of the ID number does not exist."),
    "id_birth_date_invalid": gettext_noop("The birth date in the ID number (%(digits)s) is not a real date."),
    "id_check_digit": gettext_noop("The ID number's check digit is wrong (expected %(expected)s)."),
    "birth_date_mismatch": gettext_noop(
        "The printed birth date %(printed)s differs from the one in the ID number (%(in_number)s)."
    ),
    "gender_mismatch": gettext_noop(
        "The printed gender %(printed)s differs from the one in the ID number (%(in_number)s)."
    ),
    "ethnicity_unknown": gettext_noop("The ethnicity %(value)s is not one of the 56 recognised ethnic groups."),
    "validity_unreadable": gettext_noop("The validity period %(value)s could not be read as dates."),
    "validity_reversed": gettext_noop("The validity period starts (%(start)s) after it ends (%(end)s)."),
    "validity_not_started": gettext_noop("The ID card is not valid yet: its validity starts on %(start)s."),
    "validity_expired": gettext_noop("The ID card expired on %(end)s."),
    "name_mismatch": gettext_noop("The name on the ID card differs from the name on the application."),
    "id_number_mismatch": gettext_noop("The ID number on the card differs from the one on the application."),
    "sides_swapped": gettext_noop("The front and back images were swapped; they were read the right way round."),
    "wrong_side": gettext_noop("The %(field)s does not look like that side of an ID card (detected: %(detected)s)."),
}
SIDE_LABELS = {
    "front": pgettext_lazy("id card", "front"),
    "back": pgettext_lazy("id card", "back"),
    "unknown": pgettext_lazy("id card", "unknown"),
}
UNKNOWN = gettext_noop("Check of the ID card: %(code)s.")


def field_label(name: str) -> str:
    return str(FIELD_LABELS[name]) if name in FIELD_LABELS else name


def finding_message(code: str, params: Mapping[str, object] | None = None, field: str = "") -> str:
    """The message for a finding's ``code`` with its ``params`` (and ``field``, named in the active language)."""
    values: dict[str, object] = dict(params or {})
    values["field"] = field_label(field)
    if "detected" in values:
        detected = str(values["detected"])
        values["detected"] = str(SIDE_LABELS[detected]) if detected in SIDE_LABELS else detected
    template = MESSAGES.get(code)
    if template is None:
        return gettext(UNKNOWN) % {"code": code}
    return gettext(template) % values
