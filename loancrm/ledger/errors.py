from django.utils.translation import gettext_lazy as _

from loancrm.core.errors import Conflict, ValidationFailed


class Unbalanced(ValidationFailed):
    code = "journal_unbalanced"
    default_message = _("The journal entry does not balance: debits must equal credits.")


class PeriodClosed(Conflict):
    code = "period_closed"
    default_message = _("The accounting period is closed and refuses postings.")


class UnknownAccount(ValidationFailed):
    code = "unknown_account"
    default_message = _("No such ledger account.")
