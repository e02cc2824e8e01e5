"""Sidebar entry of automated decisions."""

from django.utils.translation import gettext_lazy as _

from loancrm.core.navigation import NavItem

NAV_ITEMS = [
    NavItem(
        "decisions",
        _("Automated decisions"),
        "decisioning:list",
        "robot",
        _("Credit approval"),
        order=200,
        permissions=("decisioning.view_decision",),
    ),
]
