"""Sidebar entry of the loan list (merged into ``loancrm/loans/nav.py``, which the sidebar discovers)."""

from django.utils.translation import gettext_lazy as _

from loancrm.core.navigation import NavItem

NAV_ITEMS = [
    NavItem(
        "loans",
        _("Loans"),
        "loans:list",
        "report-money",
        _("Servicing"),
        order=300,
        permissions=("loans.view_loan",),
    ),
]
