from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "loancrm.applications"
    label = "applications"
    verbose_name = _("Applications")

    def ready(self) -> None:
        from loancrm.core.audit import register_action_labels

        register_action_labels(
            {
                "application.created": _("Application created"),
                "application.updated": _("Application updated"),
                "application.submitted": _("Application submitted"),
                "application.status_changed": _("Application status changed"),
                "application.withdrawn": _("Application withdrawn"),
                "application.credit_approved": _("Credit approved with terms"),
            }
        )
