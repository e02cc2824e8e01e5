"""Refusals of the end-of-day run."""

from django.utils.translation import gettext_lazy as _

from loancrm.core.errors import Conflict


class EodDateRefused(Conflict):
    code = "eod_date_refused"
    default_message = _("The end of day runs for the current business date only, after the previous one.")
