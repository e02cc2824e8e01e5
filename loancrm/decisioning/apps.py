from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DecisioningConfig(AppConfig):
    name = "loancrm.decisioning"
    label = "decisioning"
    verbose_name = _("Automated decisions")

    def ready(self) -> None:
        from loancrm.applications.outcome import register_decision_provider
        from loancrm.applications.services import on_submitted
        from loancrm.core.audit import register_action_labels
        from loancrm.decisioning import hooks
        from loancrm.decisioning.tasks import enqueue_prescreen
        from loancrm.rules.services import add_publish_check
        from loancrm.rules.test_contexts import register_source

        on_submitted(enqueue_prescreen)
        add_publish_check(hooks.require_backtest)
        register_source(hooks.decision_contexts)
        register_decision_provider(hooks.decision_outcome)
        register_action_labels(
            {
                "decisioning.decided": _("Automated decision made"),
                "decisioning.replayed": _("Automated decision replayed"),
                "decisioning.backtested": _("Rule set backtested"),
            }
        )
