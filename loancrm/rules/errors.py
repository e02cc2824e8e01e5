from django.utils.translation import gettext_lazy as _

from loancrm.core.errors import InvalidTransition


class RuleSetPublished(InvalidTransition):
    code = "rule_set_published"
    default_message = _("A published rule set cannot be changed.")
