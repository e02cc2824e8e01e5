"""The sidebar item of bank statements (for those who post them; company-wide viewers open them from a loan or by
URL), merged into ``loancrm/loans/nav.py``."""

from django.utils.translation import gettext_lazy as _

from loancrm.core.navigation import NavItem

NAV_ITEMS = [
    NavItem(
        "loan_statements",
        _("Bank statements"),
        "loans:statement_list",
        "file-invoice",
        _("Loans"),
        order=330,
        permissions=("loans.post_payment",),
    ),
]
