"""Contracts over the JSON API: a contract's frozen terms, parties and files, and the verification of its sealed
file (the same selectors and services as the pages)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from loancrm.accounts.api_auth import authorized, require_scope
from loancrm.contracts import selectors, services
from loancrm.contracts.choices import FileKind
from loancrm.contracts.models import Contract
from loancrm.contracts.schemas import ContractOut, VerificationOut
from loancrm.core.errors import NotFound
from loancrm.core.money import money_str

API_PREFIX = "/contracts"
router = Router(tags=["contracts"])


def _contract(request: HttpRequest, contract_no: str) -> Contract:
    found = selectors.contracts_visible_to(request.user).filter(contract_no=contract_no).first()
    if found is None:
        raise NotFound()
    return found


@router.get("/{contract_no}", response=ContractOut, auth=authorized("contracts.view_contract"), summary="A contract")
def contract_get(request: HttpRequest, contract_no: str) -> Any:
    require_scope(request, "read")
    c = _contract(request, contract_no)
    return {
        "contract_no": c.contract_no, "application_number": c.application.number or "", "status": c.status,
        "amount": money_str(c.amount), "annual_rate": str(c.annual_rate), "apr": str(c.apr),
        "term_months": c.term_months, "method": c.method, "start_date": c.start_date,
        "template_version": c.template.version, "signed_at": c.signed_at,
        "parties": list(c.parties.order_by("position", "id")), "files": list(c.files.order_by("-created_at", "-id")),
    }  # fmt: skip


@router.get(
    "/{contract_no}/verify",
    response=VerificationOut,
    auth=authorized("contracts.view_contract"),
    summary="Verify the sealed file: SHA-256 and the lender's PAdES signature",
)
def contract_verify(request: HttpRequest, contract_no: str) -> Any:
    require_scope(request, "read")
    c = _contract(request, contract_no)
    record = c.latest_file(FileKind.SIGNED) or c.latest_file(FileKind.UNSIGNED)
    if record is None:
        raise NotFound()
    result = services.contract_verify(record)
    sig = result.signature
    return {
        "file_id": record.pk, "valid": result.valid, "hash_ok": result.hash_ok, "stored_sha256": record.sha256,
        "computed_sha256": result.computed_sha256, "signature_valid": None if sig is None else sig.valid,
        "signer": sig.signer if sig else "", "signed_at": sig.signed_at if sig else None,
    }  # fmt: skip
