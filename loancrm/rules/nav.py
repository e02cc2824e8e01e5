"""Sidebar entry of the rule editor (section shared with the product catalogue)."""

from django.utils.translation import gettext_lazy as _

from loancrm.core.navigation import NavItem

NAV_ITEMS = [
    NavItem(
        "rule_sets",
        _("Decision rules"),
        "rules:list",
        "filter-check",
        _("Products & risk"),
        order=410,
        permissions=("rules.view_ruleset",),
    ),
]
