"""Sidebar entries of approval (审批): my pending approvals, all cases, the policies."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from loancrm.core.navigation import NavItem, WorkQueue

NAV_ITEMS = [
    NavItem("approvals", _("My approvals"), "approvals:mine", "gavel", _("Credit approval"), order=210,
            permissions=("approvals.act_approvalcase",)),
    NavItem("approval_cases", _("Approval cases"), "approvals:list", "list-check", _("Credit approval"), order=211,
            permissions=("approvals.view_approvalcase",)),
    NavItem("approval_policies", _("Approval policies"), "approvals:policies", "route", _("Credit approval"),
            order=212, permissions=("approvals.view_approvalpolicyversion",)),
]  # fmt: skip


def _my_pending(user: Any) -> int:
    from loancrm.approvals.selectors import pending_for

    return len(pending_for(user))


WORK_QUEUES = [
    WorkQueue("my_approvals", _("Cases waiting for my approval"), "approvals:mine", _my_pending,
              ("approvals.act_approvalcase",), "gavel"),
]  # fmt: skip
