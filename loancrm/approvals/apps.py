from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    name = "loancrm.approvals"
    label = "approvals"
    verbose_name = _("Approvals")

    def ready(self) -> None:
        from loancrm.applications import stage_links
        from loancrm.approvals import selectors as stage_selectors

        stage_links.register(stage_selectors.application_link)
        from loancrm.applications.lifecycle import on_review_submitted
        from loancrm.approvals.services import review_opinion_received
        from loancrm.core.audit import register_action_labels

        on_review_submitted(review_opinion_received)
        register_action_labels(
            {
                "approval.policy_drafted": _("Approval policy drafted"),
                "approval.policy_saved": _("Approval policy saved"),
                "approval.policy_published": _("Approval policy published"),
                "approval.authority_set": _("Approval authority limit set"),
                "approval.delegation_created": _("Approval delegation created"),
                "approval.delegation_revoked": _("Approval delegation revoked"),
                "approval.case_opened": _("Approval case opened"),
                "approval.case_restarted": _("Approval case restarted"),
                "approval.case_closed": _("Approval case closed"),
                "approval.approve": _("Approval step approved"),
                "approval.reject": _("Approval step rejected"),
                "approval.refer_back": _("Approval referred back"),
                "approval.sla_reminded": _("Approval SLA reminder sent"),
            }
        )
