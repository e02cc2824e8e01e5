"""The sidebar item of bank statements, to be merged into ``loancrm/loans/nav.py``'s NAV_ITEMS."""

from django.utils.translation import gettext_lazy as _

from loancrm.accounts.choices import DataScope
from loancrm.accounts.scope import data_scope
from loancrm.core.navigation import NavItem

NAV_ITEMS = [
    NavItem(
        "loan_statements",
        _("Bank statements"),
        "loans:statement_list",
        "file-invoice",
        _("Loans"),
        order=330,
        permissions=("loans.view_loan",),
        visible=lambda user: user.has_perm("loans.post_payment") or data_scope(user) == DataScope.ALL,
    ),
]
