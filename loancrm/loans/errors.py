"""Refusals of the loan services, each with a stable code."""

from django.utils.translation import gettext_lazy as _

from loancrm.core.errors import Conflict, NotFound, ValidationFailed


class LoanNotFound(NotFound):
    code = "loan_not_found"
    default_message = _("No such loan.")


class ContractExists(Conflict):
    code = "contract_exists"
    default_message = _("A loan with this contract number already exists.")


class InvalidTerms(ValidationFailed):
    code = "invalid_terms"
    default_message = _("The loan terms are invalid.")


class InvalidAmount(ValidationFailed):
    code = "invalid_amount"
    default_message = _("The amount must be positive with at most two decimals.")


class FutureValueDate(ValidationFailed):
    code = "future_value_date"
    default_message = _("The value date cannot be after the business date.")


class LoanNotOpen(Conflict):
    code = "loan_not_open"
    default_message = _("The loan is not open for payments.")


class PrepaymentRefused(ValidationFailed):
    code = "prepayment_refused"
    default_message = _("The prepayment cannot be made.")


class ReversalRefused(Conflict):
    code = "reversal_refused"
    default_message = _("This transaction cannot be reversed.")
