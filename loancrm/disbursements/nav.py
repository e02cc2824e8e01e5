"""Sidebar entry of disbursement."""

from django.utils.translation import gettext_lazy as _

from loancrm.core.navigation import NavItem

NAV_ITEMS = [
    NavItem(
        "disbursements",
        _("Disbursements"),
        "disbursements:queue",
        "cash-banknote",
        _("Credit approval"),
        order=260,
        permissions=("disbursements.view_disbursementorder",),
    ),
]
