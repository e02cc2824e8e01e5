"""Loan choices: statuses with their transition table, origins, instalment states, transaction kinds."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from loancrm.core.errors import InvalidTransition
from loancrm.loans.schedule import Keep, Method


class RepaymentMethod(models.TextChoices):
    EQUAL_INSTALLMENT = Method.EQUAL_INSTALLMENT.value, _("Equal instalment")
    EQUAL_PRINCIPAL = Method.EQUAL_PRINCIPAL.value, _("Equal principal")
    INTEREST_ONLY = Method.INTEREST_ONLY.value, _("Interest only, principal at maturity")
    BULLET = Method.BULLET.value, _("Principal and interest at maturity")


class LoanStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("loan status", "Active")
    OVERDUE = "overdue", pgettext_lazy("loan status", "Overdue")
    PAID_OFF = "paid_off", pgettext_lazy("loan status", "Paid off")
    WRITTEN_OFF = "written_off", pgettext_lazy("loan status", "Written off")


OPEN_STATUSES = (LoanStatus.ACTIVE, LoanStatus.OVERDUE)

# A reversal can reopen a paid-off loan; written off is terminal here (recoveries come with collections).
LOAN_TRANSITIONS: dict[str, set[str]] = {
    LoanStatus.ACTIVE: {LoanStatus.OVERDUE, LoanStatus.PAID_OFF, LoanStatus.WRITTEN_OFF},
    LoanStatus.OVERDUE: {LoanStatus.ACTIVE, LoanStatus.PAID_OFF, LoanStatus.WRITTEN_OFF},
    LoanStatus.PAID_OFF: {LoanStatus.ACTIVE, LoanStatus.OVERDUE},
    LoanStatus.WRITTEN_OFF: set(),
}


def ensure_transition(current: str, target: str) -> None:
    """Refuse a loan status move the table does not list."""
    if current != target and target not in LOAN_TRANSITIONS.get(current, set()):
        labels = {"current": LoanStatus(current).label, "target": LoanStatus(target).label}
        raise InvalidTransition(_("A loan cannot go from %(current)s to %(target)s.") % labels)


class Origin(models.TextChoices):
    DISBURSED = "disbursed", _("Disbursed here")
    MIGRATED = "migrated", _("Migrated portfolio")


class InstallmentStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("instalment status", "Not yet due")
    DUE = "due", pgettext_lazy("instalment status", "Due")
    OVERDUE = "overdue", pgettext_lazy("instalment status", "Overdue")
    PAID = "paid", pgettext_lazy("instalment status", "Paid")


class TxnKind(models.TextChoices):
    DISBURSEMENT = "disbursement", _("Disbursement")
    MIGRATION = "migration", _("Migrated balance")
    REPAYMENT = "repayment", _("Repayment")
    PREPAYMENT = "prepayment", _("Partial prepayment")
    PAYOFF = "payoff", _("Payoff")
    ADVANCE_APPLIED = "advance_applied", _("Advance applied")
    REVERSAL = "reversal", _("Reversal")


class TxnStatus(models.TextChoices):
    POSTED = "posted", pgettext_lazy("transaction status", "Posted")
    REVERSED = "reversed", pgettext_lazy("transaction status", "Reversed")


class Source(models.TextChoices):
    CHANNEL = "channel", _("Payment channel")
    MANUAL = "manual", _("Manual posting")
    BANK_FILE = "bank_file", _("Bank statement")
    SYSTEM = "system", _("System")
    MIGRATION = "migration", _("Migration")


class PrepaymentKeep(models.TextChoices):
    TERM = Keep.TERM.value, _("Keep the term (lower instalment)")
    PAYMENT = Keep.PAYMENT.value, _("Keep the instalment (shorter term)")


class NotificationResult(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    REFUSED = "refused", _("Refused")


class PostingKind(models.TextChoices):
    PAYMENT = "payment", _("Manual payment")
    PREPAYMENT = "prepayment", _("Partial prepayment")
    PAYOFF = "payoff", _("Payoff")
    REVERSAL = "reversal", _("Reversal")


class RequestStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("request status", "Pending approval")
    APPROVED = "approved", pgettext_lazy("request status", "Approved")
    REJECTED = "rejected", pgettext_lazy("request status", "Rejected")
    FAILED = "failed", pgettext_lazy("request status", "Failed")


class ImportStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("import status", "Waiting")
    RUNNING = "running", pgettext_lazy("import status", "Running")
    DONE = "done", pgettext_lazy("import status", "Done")
    FAILED = "failed", pgettext_lazy("import status", "Failed")


class MatchResult(models.TextChoices):
    MATCHED = "matched", _("Matched and posted")
    UNMATCHED = "unmatched", _("Unmatched")
    DUPLICATE = "duplicate", _("Duplicate")
    INVALID = "invalid", _("Invalid")
