"""Sidebar entries of approval (审批): my pending approvals, all cases, the policies."""

from django.utils.translation import gettext_lazy as _

from loancrm.core.navigation import NavItem

NAV_ITEMS = [
    NavItem("approvals", _("My approvals"), "approvals:mine", "gavel", _("Credit approval"), order=210,
            permissions=("approvals.act_approvalcase",)),
    NavItem("approval_cases", _("Approval cases"), "approvals:list", "list-check", _("Credit approval"), order=211,
            permissions=("approvals.view_approvalcase",)),
    NavItem("approval_policies", _("Approval policies"), "approvals:policies", "route", _("Credit approval"),
            order=212, permissions=("approvals.view_approvalpolicyversion",)),
]  # fmt: skip
