"""Sidebar entries of credit review."""

from django.utils.translation import gettext_lazy as _

from loancrm.core.navigation import NavItem

NAV_ITEMS = [
    NavItem(
        "review_queue",
        _("Credit review queue"),
        "underwriting:queue",
        "list-check",
        _("Credit approval"),
        order=190,
        permissions=("underwriting.view_reviewcase",),
    ),
    NavItem(
        "review_routing",
        _("Review routing rules"),
        "underwriting:rules",
        "route",
        _("Credit approval"),
        order=195,
        permissions=("underwriting.manage_routing",),
    ),
]
