from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "loancrm.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from loancrm.core.audit import register_action_labels

        register_action_labels(
            {
                "data.exported": _("Data exported"),
                "pii.revealed": _("Personal data revealed"),
                "business_date.initialised": _("Business date initialised"),
                "business_date.set": _("Business date set"),
                "business_date.advanced": _("Business date advanced"),
                "calendar.day_added": _("Calendar entry added"),
                "calendar.day_removed": _("Calendar entry removed"),
                "calendar.year_imported": _("Official holidays imported"),
                "job.started": _("Batch job started"),
                "job.resumed": _("Batch job resumed"),
            }
        )
