"""Sidebar entries of contracts: the contract list (credit approval) and the template versions (products)."""

from django.utils.translation import gettext_lazy as _

from loancrm.core.navigation import NavItem

NAV_ITEMS = [
    NavItem(
        "contracts",
        _("Contracts"),
        "contracts:list",
        "file-certificate",
        _("Credit approval"),
        order=260,
        permissions=("contracts.view_contract",),
    ),
    NavItem(
        "contract_templates",
        _("Contract templates"),
        "contracts:templates",
        "template",
        _("Products & risk"),
        order=405,
        permissions=("contracts.manage_contract_templates",),
    ),
]
