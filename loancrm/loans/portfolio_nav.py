"""Sidebar entry of the portfolio import, to merge into ``loans/nav.py`` (``core.navigation`` reads only each app's
``nav`` module)."""

from django.utils.translation import gettext_lazy as _

from loancrm.core.navigation import NavItem

NAV_ITEMS = [
    NavItem(
        "portfolio_import",
        _("Portfolio import"),
        "loans:portfolio_list",
        "file-import",
        _("Operations"),
        order=830,
        permissions=("loans.book_loan",),
    ),
]
