"""JSON shapes of the contracts API."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Schema


class PartyOut(Schema):
    role: str
    name: str
    id_number_masked: str
    signed_at: datetime | None


class FileOut(Schema):
    id: int
    kind: str
    sha256: str
    size: int
    created_at: datetime


class ContractOut(Schema):
    contract_no: str
    application_number: str
    status: str
    amount: str
    annual_rate: str
    apr: str
    term_months: int
    method: str
    start_date: date
    template_version: int
    signed_at: datetime | None
    parties: list[PartyOut]
    files: list[FileOut]


class VerificationOut(Schema):
    file_id: int
    valid: bool
    hash_ok: bool
    stored_sha256: str
    computed_sha256: str
    signature_valid: bool | None
    signer: str
    signed_at: datetime | None
