from typing import Any

from django.utils.translation import gettext_lazy as _

from loancrm.core.navigation import NavItem, WorkQueue


def _my_drafts(user: Any) -> int:
    from loancrm.applications.choices import Status
    from loancrm.applications.models import Application

    return Application.objects.filter(owner=user, status=Status.DRAFT).count()


NAV_ITEMS = [
    NavItem(
        "applications",
        _("Applications"),
        "applications:list",
        "file-description",
        _("Sales"),
        order=120,
        permissions=("applications.view_application",),
    ),
]
WORK_QUEUES = [
    WorkQueue("my_draft_applications", _("My draft applications"), "applications:list", _my_drafts,
              ("applications.add_application",), "file-pencil", "status=draft"),
]  # fmt: skip
