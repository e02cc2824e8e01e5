from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LoansConfig(AppConfig):
    name = "loancrm.loans"
    label = "loans"
    verbose_name = _("Loans")

    def ready(self) -> None:
        from loancrm.core.audit import register_action_labels

        register_action_labels(
            {
                "loan.booked": _("Loan booked"),
                "loan.status_changed": _("Loan status changed"),
                "payment.posted": _("Repayment posted"),
                "payment.reversed": _("Repayment reversed"),
                "payment.refused": _("Payment notification refused"),
                "prepayment.posted": _("Prepayment posted"),
                "loan.rescheduled": _("Schedule regenerated"),
                "posting.requested": _("Posting requested"),
                "posting.approved": _("Posting approved"),
                "posting.rejected": _("Posting rejected"),
                "channel.created": _("Payment channel created"),
                "channel.updated": _("Payment channel updated"),
            }
        )
