from django.utils.translation import gettext_lazy as _

from loancrm.core.errors import InvalidTransition


class ScorecardPublished(InvalidTransition):
    code = "scorecard_published"
    default_message = _("A published scorecard cannot be changed.")
