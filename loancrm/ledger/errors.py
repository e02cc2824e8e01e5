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


class PeriodNotEnded(Conflict):
    code = "period_not_ended"
    default_message = _("Only a month that ended before the business date can be closed.")


class PeriodAlreadyClosed(Conflict):
    code = "period_already_closed"
    default_message = _("This accounting period is already closed.")


class PeriodNotClosed(Conflict):
    code = "period_not_closed"
    default_message = _("This accounting period is not closed.")


class PeriodOutOfOrder(Conflict):
    code = "period_out_of_order"
    default_message = _("Accounting periods close and reopen in order.")
