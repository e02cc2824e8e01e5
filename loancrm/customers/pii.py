"""The customer fields that may be revealed (audited) through the shared ``{% pii %}`` control."""

from __future__ import annotations

from functools import partial

from django.utils.translation import gettext_lazy as _

from loancrm.core.pii import PiiField, register_pii
from loancrm.customers.models import CorporateProfile, CustomerMobile, EmergencyContact, RelatedParty
from loancrm.customers.selectors import access_customer, access_customer_part

VIEW, REVEAL = "customers.view_customer", "accounts.reveal_pii"


def register() -> None:
    register_pii(
        PiiField("customers.customer", "id_number", "id_number", access_customer, REVEAL, label=_("ID number"))
    )
    for field, label in (("residence_address", _("residence address")), ("hukou_address", _("household address"))):
        register_pii(PiiField("customers.customer", field, "address", access_customer, REVEAL, label=label))
    register_pii(
        PiiField("customers.customermobile", "mobile", "mobile", partial(access_customer_part, CustomerMobile), VIEW,
                 label=_("mobile"))
    )  # fmt: skip
    register_pii(
        PiiField("customers.emergencycontact", "mobile", "mobile", partial(access_customer_part, EmergencyContact),
                 VIEW, third_party=True, label=_("emergency contact mobile"))
    )  # fmt: skip
    register_pii(
        PiiField("customers.corporateprofile", "legal_rep_id_number", "id_number",
                 partial(access_customer_part, CorporateProfile), REVEAL, label=_("legal representative's ID number"))
    )  # fmt: skip
    register_pii(
        PiiField("customers.relatedparty", "identifier", "id_number", partial(access_customer_part, RelatedParty),
                 REVEAL, label=_("credit code or ID number"))
    )  # fmt: skip
