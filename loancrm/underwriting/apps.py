from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UnderwritingConfig(AppConfig):
    name = "loancrm.underwriting"
    label = "underwriting"
    verbose_name = _("Credit review")

    def ready(self) -> None:
        from loancrm.applications import stage_links
        from loancrm.underwriting import selectors as stage_selectors

        stage_links.register(stage_selectors.application_link)
        from loancrm.applications import lifecycle
        from loancrm.core.audit import register_action_labels
        from loancrm.decisioning.services import on_manual_review
        from loancrm.underwriting import hooks

        on_manual_review(hooks.enqueue_case_open)
        lifecycle.on_referred_back(hooks.reopen_on_referral)
        lifecycle.on_credit_approved(hooks.close_on_decision)
        lifecycle.on_credit_rejected(hooks.close_on_decision)
        lifecycle.add_disbursement_check(hooks.conditions_check)
        register_action_labels(
            {
                "review_case.opened": _("Review case opened"),
                "review_case.claimed": _("Review case claimed"),
                "review_case.released": _("Review case released"),
                "review_case.reassigned": _("Review case reassigned"),
                "review_case.escalated": _("Review case escalated"),
                "review_case.referred_back": _("Review case referred back"),
                "review_case.closed": _("Review case closed"),
                "review_opinion.submitted": _("Review opinion submitted"),
                "review_condition.met": _("Review condition met"),
                "phone_verification.called": _("Verification call placed"),
                "phone_verification.recorded": _("Phone verification recorded"),
                "phone_verification.recording_played": _("Call recording played"),
                "routing_rule.saved": _("Review routing rule saved"),
            }
        )
