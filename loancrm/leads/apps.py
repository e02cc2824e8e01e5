from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeadsConfig(AppConfig):
    name = "loancrm.leads"
    label = "leads"
    verbose_name = _("Leads")

    def ready(self) -> None:
        from loancrm.core.audit import register_action_labels
        from loancrm.core.pii import PiiField, register_pii
        from loancrm.leads.selectors import access_lead

        register_action_labels(
            {
                "lead.created": _("Lead created"),
                "lead.duplicate_hit": _("Duplicate lead received"),
                "lead.invalidated": _("Lead marked invalid"),
                "lead.assigned": _("Lead assigned"),
                "lead.claimed": _("Lead claimed from the shared pool"),
                "lead.reassigned": _("Lead reassigned"),
                "lead.stage_changed": _("Lead stage changed"),
                "lead.returned_to_pool": _("Leads returned to the shared pool"),
                "lead.assignment_rule_saved": _("Assignment rule saved"),
                "lead.agent_duty_changed": _("Agent duty changed"),
                "lead.bulk_intake": _("Leads imported in bulk"),
            }
        )
        register_pii(PiiField("leads.lead", "mobile", "mobile", access_lead, "leads.view_lead", label=_("mobile")))
        register_pii(
            PiiField("leads.lead", "id_number", "id_number", access_lead, "accounts.reveal_pii", label=_("ID number"))
        )
