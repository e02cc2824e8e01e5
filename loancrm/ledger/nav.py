"""Sidebar entries of the ledger (section Finance)."""

from django.utils.translation import gettext_lazy as _

from loancrm.core.navigation import NavItem

VIEW = ("ledger.view_journalentry",)

NAV_ITEMS = [
    NavItem("trial_balance", _("Trial balance"), "ledger:trial_balance", "scale", _("Finance"), order=500,
            permissions=VIEW),
    NavItem("journal", _("Journal"), "ledger:journal", "notebook", _("Finance"), order=510, permissions=VIEW),
    NavItem("periods", _("Accounting periods"), "ledger:periods", "calendar-stats", _("Finance"), order=520,
            permissions=VIEW),
]  # fmt: skip
