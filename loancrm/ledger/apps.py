from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "loancrm.ledger"
    label = "ledger"
    verbose_name = _("Ledger")

    def ready(self) -> None:
        from loancrm.core.audit import register_action_labels

        register_action_labels(
            {
                "ledger.period_closed": _("Accounting period closed"),
                "ledger.period_reopened": _("Accounting period reopened"),
            }
        )
