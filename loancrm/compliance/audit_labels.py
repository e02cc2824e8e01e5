from django.utils.translation import gettext_lazy as _

LABELS = {
    "consent.text_published": _("Consent text published"),
    "consent.given": _("Consent given"),
    "consent.withdrawn": _("Consent withdrawn"),
}
