from django.utils.translation import gettext_lazy as _

from loancrm.core.navigation import NavItem

NAV_ITEMS = [
    NavItem(
        "audit",
        _("Audit log"),
        "audit:list",
        "file-search",
        _("Compliance"),
        order=700,
        permissions=("accounts.view_audit",),
    ),
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
