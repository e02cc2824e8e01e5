"""Refusals of the approval stage (stable codes, translated messages)."""

from django.utils.translation import gettext_lazy as _

from loancrm.core.errors import Conflict, InvalidTransition, NotFound, PermissionDenied, ValidationFailed


class PolicyVersionFrozen(InvalidTransition):
    code = "approval_policy_frozen"
    default_message = _("A published or retired approval policy version cannot be changed.")


class ActionsAppendOnly(InvalidTransition):
    code = "approval_action_append_only"
    default_message = _("Approval actions cannot be changed or deleted.")


class NoPublishedPolicy(Conflict):
    code = "no_approval_policy"
    default_message = _("There is no published approval policy.")


class CaseNotPending(InvalidTransition):
    code = "approval_not_pending"
    default_message = _("This case is not waiting for an approval decision.")


class AlreadyActed(Conflict):
    code = "approval_already_acted"
    default_message = _("You have already decided on this step.")


class NotAnApprover(PermissionDenied):
    code = "approval_not_an_approver"
    default_message = _("You are not an approver of the current step.")


class AboveAuthority(PermissionDenied):
    code = "approval_above_authority"
    default_message = _("The amount is above your approval authority.")


class AmountRaised(ValidationFailed):
    code = "approval_amount_raised"
    default_message = _("An approver may lower the amount, not raise it.")


class CommentRequired(ValidationFailed):
    code = "approval_comment_required"
    default_message = _("A comment is required.")


class CaseNotFound(NotFound):
    code = "approval_case_not_found"
