"""Sidebar entries and home-page queues of the follow-up module."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from loancrm.core.navigation import NavItem, WorkQueue


def _my_open_tasks(user: Any) -> int:
    from loancrm.sales.choices import TaskStatus
    from loancrm.sales.models import FollowUpTask

    return FollowUpTask.objects.filter(assignee=user, status=TaskStatus.OPEN).count()


def _team_overdue(user: Any) -> int:
    from loancrm.sales.selectors import overdue_count

    return overdue_count(user)


NAV_ITEMS = [
    NavItem("tasks", _("Follow-up tasks"), "sales:tasks", "checklist", _("Sales"), order=102,
            permissions=("sales.view_followuptask",)),
    NavItem("scripts", _("Script library"), "sales:scripts", "messages", _("Sales"), order=150,
            permissions=("sales.view_script",)),
    NavItem("tags", _("Tags"), "sales:tags", "tags", _("Sales"), order=185, permissions=("sales.change_tag",)),
    NavItem("sales_settings", _("Follow-up settings"), "sales:settings", "adjustments", _("Sales"), order=190,
            permissions=("sales.change_refusalreason",)),
]  # fmt: skip
WORK_QUEUES = [
    WorkQueue("my_tasks", _("My follow-up tasks"), "sales:tasks", _my_open_tasks, ("sales.add_followup",),
              "checklist", "mine=1"),
    WorkQueue("overdue_tasks", _("Overdue follow-up tasks"), "sales:tasks", _team_overdue,
              ("leads.assign_lead",), "alarm", "overdue=1"),
]  # fmt: skip
