from django.utils.translation import gettext_lazy as _

from loancrm.core.navigation import NavItem, WorkQueue


def _locked_count(user: object) -> int:
    from django.utils import timezone

    from loancrm.accounts.models import LoginThrottle

    return LoginThrottle.objects.filter(locked_until__gt=timezone.now()).count()


NAV_ITEMS = [
    NavItem("home", _("Workbench"), "core:home", "layout-dashboard", _("Home"), order=0),
    NavItem(
        "users", _("Users"), "accounts:users", "users", _("System"), order=900, permissions=("accounts.view_user",)
    ),
    NavItem(
        "roles",
        _("Roles"),
        "accounts:roles",
        "shield-lock",
        _("System"),
        order=910,
        permissions=("accounts.manage_users",),
    ),
    NavItem(
        "org",
        _("Organisation"),
        "accounts:org",
        "sitemap",
        _("System"),
        order=920,
        permissions=("accounts.manage_users",),
    ),
    NavItem(
        "tokens",
        _("API tokens"),
        "accounts:tokens",
        "key",
        _("System"),
        order=930,
        permissions=("accounts.manage_tokens",),
    ),
]

NAV_ITEMS.append(
    NavItem(
        "audit",
        _("Audit log"),
        "audit:list",
        "file-search",
        _("Compliance"),
        order=700,
        permissions=("accounts.view_audit",),
    )
)

WORK_QUEUES = [
    WorkQueue(
        "locked_accounts", _("Locked sign-ins"), "accounts:users", _locked_count, ("accounts.manage_users",), "lock"
    ),
]
