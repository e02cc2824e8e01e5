from typing import Any

from django.utils.translation import gettext_lazy as _

from loancrm.core.navigation import NavItem, WorkQueue


def _new_leads(user: Any) -> int:
    from loancrm.leads.choices import Stage, Validity
    from loancrm.leads.models import Lead

    return Lead.objects.filter(owner=user, stage=Stage.NEW, validity=Validity.VALID).count()


NAV_ITEMS = [
    NavItem("leads", _("Leads"), "leads:list", "address-book", _("Sales"), order=100, permissions=("leads.view_lead",)),
    NavItem(
        "board",
        _("Pipeline board"),
        "leads:board",
        "layout-kanban",
        _("Sales"),
        order=105,
        permissions=("leads.view_lead",),
    ),
    NavItem(
        "funnel",
        _("Pipeline conversion"),
        "leads:funnel",
        "chart-funnel",
        _("Sales"),
        order=107,
        permissions=("leads.view_lead",),
    ),
    NavItem(
        "assignment",
        _("Assignment rules"),
        "leads:assignment",
        "route",
        _("Sales"),
        order=180,
        permissions=("leads.change_assignmentrule",),
    ),
    NavItem(
        "pool", _("Shared pool"), "leads:pool", "users-group", _("Sales"), order=110, permissions=("leads.intake_lead",)
    ),
]
WORK_QUEUES = [
    WorkQueue("my_new_leads", _("My new leads"), "leads:list", _new_leads, ("leads.intake_lead",), "user-plus",
              "stage=new&validity=valid"),
]  # fmt: skip
