from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplianceConfig(AppConfig):
    name = "loancrm.compliance"
    label = "compliance"
    verbose_name = _("Compliance")

    def ready(self) -> None:
        from loancrm.compliance.audit_labels import LABELS
        from loancrm.core.audit import register_action_labels

        register_action_labels(LABELS)
