"""Sidebar entries of the overdue pages, in the "Loans" section after the loan list (same permission)."""

from django.utils.translation import gettext_lazy as _

from loancrm.core.navigation import NavItem

NAV_ITEMS = [
    NavItem(
        "overdue_loans",
        _("Overdue loans"),
        "servicing:overdue",
        "alert-triangle",
        _("Loans"),
        order=292,
        permissions=("loans.view_loan",),
    ),
    NavItem(
        "bucket_summary",
        _("Bucket summary"),
        "servicing:buckets",
        "chart-bar",
        _("Loans"),
        order=294,
        permissions=("loans.view_loan",),
    ),
]
