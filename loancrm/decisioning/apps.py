from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DecisioningConfig(AppConfig):
    name = "loancrm.decisioning"
    label = "decisioning"
    verbose_name = _("Automated decisions")

    def ready(self) -> None:
        from loancrm.applications.services import on_submitted
        from loancrm.core.audit import register_action_labels
        from loancrm.decisioning.tasks import enqueue_prescreen

        on_submitted(enqueue_prescreen)
        register_action_labels(
            {
                "decisioning.decided": _("Automated decision made"),
                "decisioning.replayed": _("Automated decision replayed"),
                "decisioning.backtested": _("Rule set backtested"),
            }
        )
