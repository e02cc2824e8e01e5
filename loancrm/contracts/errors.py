"""Refusals of the contract stage."""

from django.utils.translation import gettext_lazy as _

from loancrm.core.errors import Conflict, DomainError, InvalidTransition, ValidationFailed


class CjkFontMissing(DomainError):
    code = "cjk_font_missing"
    status = 503
    default_message = _(
        "No Chinese (CJK) font is installed, so the contract PDF cannot be rendered. "
        "Install one with: apt-get install fonts-noto-cjk"
    )


class SealCertificateMissing(DomainError):
    code = "seal_certificate_missing"
    status = 503
    default_message = _(
        "The lender's seal certificate is not configured: set LOANCRM_SEAL_PKCS12 to a PKCS#12 file and "
        "LOANCRM_SEAL_PASSPHRASE to its passphrase (for a demo: manage.py seal_cert_demo)."
    )


class SealCertificateInvalid(DomainError):
    code = "seal_certificate_invalid"
    status = 503
    default_message = _("The lender's seal certificate cannot be opened: check the file and LOANCRM_SEAL_PASSPHRASE.")


class ContractNotGeneratable(InvalidTransition):
    code = "contract_not_generatable"
    default_message = _("A contract can be generated only for an approved application with approved terms.")


class ContractAlreadySigned(Conflict):
    code = "contract_signing_started"
    default_message = _("A party has already signed this contract: it can no longer be changed, only cancelled.")


class ContractNotOpenForSigning(InvalidTransition):
    code = "contract_not_open_for_signing"
    default_message = _("This contract is not open for signing.")


class PartyAlreadySigned(Conflict):
    code = "party_already_signed"
    default_message = _("You have already signed this contract.")


class NotRead(ValidationFailed):
    code = "contract_not_read"
    default_message = _("Confirm that you have read the contract.")


class NoTemplate(InvalidTransition):
    code = "contract_template_missing"
    default_message = _("This product has no published contract template.")
