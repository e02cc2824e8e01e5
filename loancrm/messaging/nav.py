from django.utils.translation import gettext_lazy as _

from loancrm.core.navigation import NavItem

NAV_ITEMS = [
    NavItem(
        "sms_outbox",
        _("SMS outbox"),
        "messaging:sms_list",
        "message-2",
        _("System"),
        order=960,
        permissions=("messaging.view_smsmessage",),
    ),
]
