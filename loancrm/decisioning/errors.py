"""Domain errors of decisioning."""

from django.utils.translation import gettext_lazy as _

from loancrm.core.errors import Conflict, InvalidTransition


class DecisionImmutable(Conflict):
    code = "decision_immutable"
    default_message = _("A recorded decision cannot be changed or deleted.")


class NotReadyForPrescreen(InvalidTransition):
    code = "not_ready_for_prescreen"
    default_message = _("Only a submitted application can be pre-screened.")
