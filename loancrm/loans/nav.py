from django.utils.translation import gettext_lazy as _

from loancrm.core.navigation import NavItem

NAV_ITEMS = [
    NavItem(
        "loan_calculator",
        _("Loan calculator"),
        "loans:calculator",
        "calculator",
        _("Loans"),
        order=300,
        permissions=("accounts.view_dashboard",),
    ),
]
