from django.utils.translation import gettext_lazy as _

from loancrm.core.navigation import NavItem

NAV_ITEMS = [
    NavItem(
        "calendar",
        _("Business calendar"),
        "calendar:index",
        "calendar",
        _("Operations"),
        order=810,
        permissions=("core.view_calendarday",),
    ),
]
