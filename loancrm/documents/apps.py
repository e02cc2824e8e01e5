from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "loancrm.documents"
    label = "documents"
    verbose_name = _("Documents")

    def ready(self) -> None:
        from loancrm.applications.services import add_submission_check
        from loancrm.core.audit import register_action_labels
        from loancrm.customers.editing import register_prefill
        from loancrm.documents.readings import customer_prefill
        from loancrm.documents.services import documents_submission_check

        add_submission_check(documents_submission_check)
        register_prefill(customer_prefill)
        register_action_labels(
            {
                "document.uploaded": _("Document uploaded"),
                "document.viewed": _("Document viewed"),
                "document.rejected": _("Document rejected"),
                "document.correction_requested": _("Correction requested"),
                "document.correction_fulfilled": _("Correction fulfilled"),
                "document.correction_cancelled": _("Correction request cancelled"),
                "document.id_card_read": _("ID card read (OCR)"),
            }
        )
