from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "loancrm.accounts"
    label = "accounts"
    verbose_name = _("Accounts and organisation")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from loancrm.accounts.roles import sync_roles_after_migrate

        post_migrate.connect(sync_roles_after_migrate)
        from loancrm.accounts.audit_labels import LABELS
        from loancrm.core.audit import register_action_labels

        register_action_labels(LABELS)
        from django.utils.translation import gettext_lazy as _

        from loancrm.accounts.selectors import access_user
        from loancrm.core.pii import PiiField, register_pii

        register_pii(
            PiiField("accounts.user", "mobile", "mobile", access_user, "accounts.manage_users", label=_("mobile"))
        )
