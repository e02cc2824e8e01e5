"""Sidebar entry of the business calendar."""

from django.utils.translation import gettext_lazy as _

from loancrm.core.navigation import NavItem

NAV_ITEMS = [
    NavItem(
        key="calendar",
        label=_("Business calendar"),
        url_name="calendar:index",
        icon="calendar",
        section=_("Operations"),
        order=810,
        permissions=("core.view_calendarday",),
    ),
]
