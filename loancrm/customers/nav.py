from django.utils.translation import gettext_lazy as _

from loancrm.core.navigation import NavItem

NAV_ITEMS = [
    NavItem(
        "customers",
        _("Customers"),
        "customers:list",
        "id-badge-2",
        _("Sales"),
        order=115,
        permissions=("customers.view_customer",),
    ),
]
