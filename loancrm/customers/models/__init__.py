"""Customer 360: the customer, their contacts, financial profile, credit data and corporate details."""

from loancrm.customers.models.corporate import CorporateProfile, FinancialStatement, RelatedParty
from loancrm.customers.models.customer import (
    Customer,
    CustomerLead,
    CustomerMobile,
    CustomerStatusChange,
    EmergencyContact,
)
from loancrm.customers.models.finance import CreditProfile, FinancialAsset, Liabilities, Property, Vehicle

__all__ = [
    "CorporateProfile",
    "CreditProfile",
    "Customer",
    "CustomerLead",
    "CustomerMobile",
    "CustomerStatusChange",
    "EmergencyContact",
    "FinancialAsset",
    "FinancialStatement",
    "Liabilities",
    "Property",
    "RelatedParty",
    "Vehicle",
]
