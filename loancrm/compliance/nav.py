from django.utils.translation import gettext_lazy as _

from loancrm.core.navigation import NavItem

NAV_ITEMS = [
    NavItem(
        "consent_texts",
        _("Consent texts"),
        "compliance:texts",
        "file-certificate",
        _("Compliance"),
        order=710,
        permissions=("compliance.view_consenttext",),
    ),
    NavItem(
        "consents",
        _("Consent register"),
        "compliance:consents",
        "checklist",
        _("Compliance"),
        order=720,
        permissions=("compliance.view_consent",),
    ),
]
