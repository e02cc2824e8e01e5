"""Domain errors of applications."""

from django.utils.translation import gettext_lazy as _

from loancrm.core.errors import InvalidTransition


class ApplicationNotEditable(InvalidTransition):
    code = "application_not_editable"
    default_message = _("Only a draft application can be changed.")
