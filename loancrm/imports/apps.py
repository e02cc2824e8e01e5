from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "loancrm.imports"
    label = "imports"
    verbose_name = _("Lead imports")

    def ready(self) -> None:
        from loancrm.core.audit import register_action_labels

        register_action_labels(
            {
                "lead_import.uploaded": _("Lead file uploaded"),
                "lead_import.mapped": _("Lead file columns mapped"),
                "lead_import.started": _("Lead import started"),
                "lead_import.finished": _("Lead import finished"),
                "lead_import.failed": _("Lead import failed"),
            }
        )
