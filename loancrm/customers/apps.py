from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "loancrm.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from loancrm.core.audit import register_action_labels
        from loancrm.customers import pii

        register_action_labels(
            {
                "customer.created": _("Customer created"),
                "customer.updated": _("Customer profile updated"),
                "customer.status_changed": _("Customer status changed"),
                "customer.credit_report_uploaded": _("Credit report uploaded"),
                "customer.credit_report_downloaded": _("Credit report downloaded"),
                "lead.converted": _("Lead converted to customer"),
            }
        )
        pii.register()
