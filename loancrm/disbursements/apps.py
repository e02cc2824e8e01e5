from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisbursementsConfig(AppConfig):
    name = "loancrm.disbursements"
    label = "disbursements"
    verbose_name = _("Disbursements")

    def ready(self) -> None:
        from loancrm.applications import stage_links
        from loancrm.disbursements import selectors as stage_selectors

        stage_links.register(stage_selectors.application_link)
        from loancrm.applications import lifecycle
        from loancrm.core.audit import register_action_labels
        from loancrm.disbursements import hooks, notices

        lifecycle.on_credit_approved(notices.credit_approved_notice)
        lifecycle.on_credit_rejected(notices.credit_rejected_notice)
        lifecycle.on_contract_signed(hooks.contract_signed_ready)
        lifecycle.on_disbursed(hooks.lead_to_disbursed)
        lifecycle.on_disbursed(notices.disbursed_notice)
        register_action_labels(
            {
                "disbursement.penny_test_started": _("Penny test sent to a bank account"),
                "disbursement.penny_test_confirmed": _("Bank account verified by penny test"),
                "disbursement.penny_test_refused": _("Penny test amount refused"),
                "disbursement.requested": _("Disbursement requested"),
                "disbursement.submitted": _("Disbursement submitted to the channel"),
                "disbursement.succeeded": _("Disbursement succeeded"),
                "disbursement.failed": _("Disbursement failed"),
                "disbursement.retried": _("Disbursement retried"),
                "disbursement.cancelled": _("Disbursement cancelled"),
                "disbursement.callback_refused": _("Disbursement callback refused"),
            }
        )
