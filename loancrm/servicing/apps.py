from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicingConfig(AppConfig):
    name = "loancrm.servicing"
    label = "servicing"
    verbose_name = _("Overdue and end of day")

    def ready(self) -> None:
        from loancrm.core.audit import register_action_labels

        register_action_labels({"eod.completed": _("End of day completed")})
