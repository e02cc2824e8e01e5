from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "loancrm.contracts"
    label = "contracts"
    verbose_name = _("Contracts")

    def ready(self) -> None:
        from loancrm.applications import stage_links
        from loancrm.contracts import selectors as stage_selectors

        stage_links.register(stage_selectors.application_link)
        import logging

        from loancrm.applications import lifecycle
        from loancrm.contracts import hooks
        from loancrm.core.audit import register_action_labels

        # WeasyPrint logs every layout step at INFO, fontTools every subset: keep the console for warnings
        for noisy in ("weasyprint", "fontTools"):
            logging.getLogger(noisy).setLevel(logging.WARNING)
        lifecycle.on_credit_approved(hooks.on_credit_approved)
        lifecycle.add_disbursement_check(hooks.contract_signed_check)
        register_action_labels(
            {
                "contract.prepared": _("Contract prepared"),
                "contract.generated": _("Contract generated"),
                "contract.regenerated": _("Contract regenerated"),
                "contract.guarantor_added": _("Guarantor added to contract"),
                "contract.party_signed": _("Contract signed by a party"),
                "contract.sealed": _("Lender's seal applied to contract"),
                "contract.cancelled": _("Contract cancelled"),
                "contract.downloaded": _("Contract file downloaded"),
                "contract.download_refused": _("Contract download refused (verification failed)"),
                "contract_template.drafted": _("Contract template drafted"),
                "contract_template.saved": _("Contract template saved"),
                "contract_template.published": _("Contract template published"),
            }
        )
