from django.utils.translation import gettext_lazy as _

from loancrm.core.navigation import NavItem

NAV_ITEMS = [
    NavItem(
        "imports",
        _("Lead imports"),
        "imports:list",
        "file-upload",
        _("Sales"),
        order=120,
        permissions=("imports.view_leadimport",),
    ),
]
