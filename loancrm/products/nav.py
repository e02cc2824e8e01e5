"""Sidebar entry of the product catalogue."""

from django.utils.translation import gettext_lazy as _

from loancrm.core.navigation import NavItem

NAV_ITEMS = [
    NavItem(
        "products",
        _("Products"),
        "products:list",
        "package",
        _("Products & risk"),
        order=400,
        permissions=("products.view_product",),
    ),
]
