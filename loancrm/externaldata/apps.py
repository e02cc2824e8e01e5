from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExternalDataConfig(AppConfig):
    name = "loancrm.externaldata"
    label = "externaldata"
    verbose_name = _("External data")

    def ready(self) -> None:
        from loancrm.core.audit import register_action_labels

        register_action_labels({"externaldata.queried": _("External data queried")})
