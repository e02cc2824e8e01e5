from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RulesConfig(AppConfig):
    name = "loancrm.rules"
    label = "rules"
    verbose_name = _("Decision rules")

    def ready(self) -> None:
        from loancrm.core.audit import register_action_labels

        register_action_labels(
            {
                "rules.rule_set_published": _("Rule set published"),
                "rules.rule_deleted": _("Rule deleted"),
                "rules.rule_moved": _("Rule moved"),
            }
        )
