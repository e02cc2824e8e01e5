from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "loancrm.sales"
    label = "sales"
    verbose_name = _("Sales follow-up")

    def ready(self) -> None:
        from loancrm.core.audit import register_action_labels

        register_action_labels(
            {
                "sales.follow_up_recorded": _("Follow-up recorded"),
                "sales.interaction_added": _("Interaction added"),
                "sales.recording_downloaded": _("Call recording downloaded"),
                "sales.task_closed": _("Follow-up task closed"),
                "sales.overdue_reported": _("Overdue follow-up tasks reported"),
                "sales.refusal_reason_saved": _("Refusal reason saved"),
                "sales.sla_changed": _("Follow-up SLA changed"),
                "sales.tag_saved": _("Tag saved"),
                "sales.lead_tagged": _("Lead tagged"),
                "sales.lead_untagged": _("Tag removed from a lead"),
                "sales.script_saved": _("Script saved"),
            }
        )
