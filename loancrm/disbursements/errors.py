"""Domain errors of disbursement (stable codes, messages Chinese by default)."""

from django.utils.translation import gettext_lazy as _

from loancrm.core.errors import Conflict, InvalidTransition, ValidationFailed


class ChecklistFailed(ValidationFailed):
    """The pre-disbursement checklist has failed items; ``fields`` maps each item's code to its reason."""

    code = "disbursement_checklist_failed"
    default_message = _("The pre-disbursement checklist is not complete.")


class PennyTestRefused(ValidationFailed):
    code = "penny_test_refused"
    default_message = _("The test amount does not match.")


class InvalidBankAccount(ValidationFailed):
    code = "invalid_bank_account"
    default_message = _("The bank account details are invalid.")


class OrderConflict(Conflict):
    code = "disbursement_conflict"
    default_message = _("Another disbursement of this contract is in progress or done.")


class OrderNotRetryable(InvalidTransition):
    code = "disbursement_not_retryable"
    default_message = _("Only a failed disbursement can be retried.")


class OrderNotCancellable(InvalidTransition):
    code = "disbursement_not_cancellable"
    default_message = _("A disbursement awaiting the channel or already paid cannot be cancelled.")
