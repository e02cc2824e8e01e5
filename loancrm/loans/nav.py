"""Sidebar items and home-page queues of the loans app (the navigation discovers only this module; the payments,
portfolio and statements modules keep their own lists)."""

from django.utils.translation import gettext_lazy as _

from loancrm.core.navigation import NavItem
from loancrm.loans import loan_nav, payments_nav

NAV_ITEMS = [
    *loan_nav.NAV_ITEMS,
    NavItem(
        "loan_calculator",
        _("Loan calculator"),
        "loans:calculator",
        "calculator",
        _("Loans"),
        order=300,
        permissions=("accounts.view_dashboard",),
    ),
    *payments_nav.NAV_ITEMS,
]
WORK_QUEUES = [*payments_nav.WORK_QUEUES]
