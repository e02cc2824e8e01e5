"""Every write to customers: lead conversion, corporate creation, section edits, the credit report and the status.

All services are keyword-only, run in one transaction with their audit event, and refuse with DomainErrors.
"""

from loancrm.customers.services.convert import ConvertResult, corporate_customer_create, lead_convert
from loancrm.customers.services.credit import credit_report_open, customer_update_credit
from loancrm.customers.services.sections import (
    customer_update_assets,
    customer_update_contacts,
    customer_update_corporate,
    customer_update_employment,
    customer_update_financials,
    customer_update_identity,
    customer_update_liabilities,
    customer_update_related_parties,
)
from loancrm.customers.services.status import customer_set_status

__all__ = [
    "ConvertResult",
    "corporate_customer_create",
    "credit_report_open",
    "customer_set_status",
    "customer_update_assets",
    "customer_update_contacts",
    "customer_update_corporate",
    "customer_update_credit",
    "customer_update_employment",
    "customer_update_financials",
    "customer_update_identity",
    "customer_update_liabilities",
    "customer_update_related_parties",
    "lead_convert",
]
