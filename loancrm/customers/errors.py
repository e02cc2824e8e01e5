"""Refusals of the customer services that clients branch on (stable codes; messages in the request's language)."""

from django.utils.translation import gettext_lazy as _

from loancrm.core.errors import Conflict, InvalidTransition, PermissionDenied


class StatusChangeNotAllowed(InvalidTransition):
    """The move is not in ``choices.STATUS_TRANSITIONS`` (including "to the status it already has")."""

    code = "customer_status_not_allowed"
    default_message = _("The customer's status cannot be changed this way.")


class ReopenDenied(PermissionDenied):
    code = "customer_reopen_denied"
    default_message = _("Only a manager can reopen a closed customer.")


class OpenLeads(Conflict):
    code = "customer_has_open_leads"
    default_message = _("The customer has leads in progress; reject or finish them first.")
