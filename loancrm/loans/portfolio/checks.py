"""What to do with each row of a portfolio file: book it, skip it (already booked) or reject it (with its errors).

The same decisions serve the check made at upload (nothing written) and the run (which then books), so the preview's
counts are what the run will do unless the data changes in between.

Rules, in order: a row whose cells fail parsing is rejected; a contract number already met earlier in the file is
rejected (the first occurrence decides); a contract number already booked is skipped — when the booked loan has the
same principal, disbursement date and customer ID number — and rejected otherwise (a different loan under that
number); the customer is the one holding the ID number (blind index) and must bear the row's name (blanks and case
ignored), else the row is rejected, never merged; for a customer to be created, the mobile must not be another
customer's main mobile nor another new person's in the file; a named account officer must be an active user.

Invariants: reads only; one query per kind per chunk (loans, customers, mobiles, officers); no personal data in the
errors (codes, row numbers and customer numbers only).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model

from loancrm.core.fields import BlindIndexField
from loancrm.customers.models import Customer, CustomerMobile
from loancrm.loans.models import Loan
from loancrm.loans.portfolio.parsing import ParsedRow, RowError, clean_text, name_key, parse_row

BOOK, SKIP, REJECT = "book", "skip", "reject"


def digest(model: type[Any], source: str, raw: str) -> str:
    """The blind-index digest of ``raw`` for ``model.source`` (what ``core.fields.blind_lookup`` filters on)."""
    for candidate in model._meta.get_fields():
        if isinstance(candidate, BlindIndexField) and candidate.source == source:
            return candidate.digest(raw)
    raise LookupError(f"{model.__name__}.{source} has no blind index")


@dataclass
class Decision:
    number: int
    outcome: str
    row: ParsedRow | None = None
    errors: list[RowError] = field(default_factory=list)
    customer: Customer | None = None  # the existing customer, when the row matched one
    id_digest: str = ""
    officer: Any = None

    def error_dicts(self) -> list[dict[str, Any]]:
        return [error.as_dict(self.number) for error in self.errors]


@dataclass
class RowChecker:
    """Decides rows chunk by chunk, remembering what earlier rows of the same file claimed."""

    business_date: dt.date
    today: dt.date
    contracts: dict[str, int] = field(default_factory=dict)  # contract number → first row having it
    people: dict[str, tuple[int, str]] = field(default_factory=dict)  # ID digest → (row, name key) to be created
    mobiles: dict[str, tuple[int, str]] = field(default_factory=dict)  # mobile digest → (row, ID digest)

    def remember_contracts(self, rows: Iterable[tuple[int, dict[str, str]]]) -> None:
        """Note the contract numbers of rows already processed (a resumed run)."""
        for number, values in rows:
            self.contracts.setdefault(clean_text(values.get("contract_no", "")), number)

    def decide(self, chunk: list[tuple[int, dict[str, str]]]) -> list[Decision]:
        parsed = [(number, values, parse_row(values, business_date=self.business_date, today=self.today))
                  for number, values in chunk]  # fmt: skip
        good = [row for _n, _v, row in parsed if isinstance(row, ParsedRow)]
        self._prefetch(good)
        decisions = []
        for number, values, row in parsed:
            contract = clean_text(values.get("contract_no", ""))
            first = self.contracts.setdefault(contract, number) if contract else number
            if not isinstance(row, ParsedRow):
                decisions.append(Decision(number, REJECT, errors=row))
            elif first != number:
                decisions.append(Decision(number, REJECT, row, [RowError("contract_no", "contract_twice",
                                                                         {"row": first})]))  # fmt: skip
            else:
                decisions.append(self._decide(number, row))
        return decisions

    def _prefetch(self, rows: list[ParsedRow]) -> None:
        self._id_digests = {row.id_number: digest(Customer, "id_number", row.id_number) for row in rows}
        self._mobile_digests = {row.mobile: digest(CustomerMobile, "mobile", row.mobile) for row in rows if row.mobile}
        self._loans = {
            loan.contract_no: (loan.principal, loan.start_date, loan.customer.id_number_bidx)
            for loan in Loan.objects.filter(contract_no__in=[row.contract_no for row in rows])
            .select_related("customer")
            .only("contract_no", "principal", "start_date", "customer__id_number_bidx")
        }
        self._customers = {
            customer.id_number_bidx: customer
            for customer in Customer.objects.filter(id_number_bidx__in=set(self._id_digests.values())).only(
                "pk", "name", "number", "id_number_bidx", "owner_id", "org_unit_id"
            )
        }
        self._main_mobiles = dict(
            CustomerMobile.objects.filter(is_primary=True, mobile_bidx__in=set(self._mobile_digests.values()))
            .values_list("mobile_bidx", "customer__number")
        )  # fmt: skip
        names = {row.officer for row in rows if row.officer}
        users = get_user_model().objects.filter(username__in=names, is_active=True) if names else []
        self._officers = {user.username: user for user in users}

    def _decide(self, number: int, row: ParsedRow) -> Decision:
        id_digest = self._id_digests[row.id_number]
        booked = self._loans.get(row.contract_no)
        if booked is not None:
            if booked == (row.principal, row.start_date, id_digest):
                return Decision(number, SKIP, row, id_digest=id_digest)
            return Decision(number, REJECT, row, [RowError("contract_no", "contract_conflict")], id_digest=id_digest)
        errors: list[RowError] = []
        customer = self._customers.get(id_digest)
        if customer is not None:
            if name_key(customer.name) != name_key(row.customer_name):
                errors.append(RowError("customer_name", "customer_name_mismatch", {"number": customer.number}))
        else:
            seen = self.people.get(id_digest)
            if seen is not None and seen[1] != name_key(row.customer_name):
                errors.append(RowError("customer_name", "customer_name_mismatch_file", {"row": seen[0]}))
            if row.mobile and (seen is None or seen[0] == number):
                errors += self._mobile_errors(number, row, id_digest)
        officer = self._officers.get(row.officer) if row.officer else None
        if row.officer and officer is None:
            errors.append(RowError("officer", "officer_unknown"))
        if errors:
            return Decision(number, REJECT, row, errors, id_digest=id_digest)
        if customer is None:
            self.people.setdefault(id_digest, (number, name_key(row.customer_name)))
            if row.mobile:
                self.mobiles.setdefault(self._mobile_digests[row.mobile], (number, id_digest))
        return Decision(number, BOOK, row, customer=customer, id_digest=id_digest, officer=officer)

    def _mobile_errors(self, number: int, row: ParsedRow, id_digest: str) -> list[RowError]:
        mobile_digest = self._mobile_digests[row.mobile]
        holder = self._main_mobiles.get(mobile_digest)
        if holder is not None:
            return [RowError("mobile", "mobile_taken", {"number": holder})]
        claimed = self.mobiles.get(mobile_digest)
        if claimed is not None and claimed[1] != id_digest:
            return [RowError("mobile", "mobile_taken_file", {"row": claimed[0]})]
        return []
