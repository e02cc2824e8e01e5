"""Sidebar entry of the loan list, beside the calculator in the "Loans" section (merged into
``loancrm/loans/nav.py``, the module the sidebar discovers)."""

from django.utils.translation import gettext_lazy as _

from loancrm.core.navigation import NavItem

NAV_ITEMS = [
    NavItem(
        "loans",
        _("Loan accounts"),
        "loans:list",
        "report-money",
        _("Loans"),
        order=290,
        permissions=("loans.view_loan",),
    ),
]
