"""Signing with SMS codes, the lender's seal, verification, guarantors, immutability and the disbursement check."""

import re
from pathlib import Path

import pytest
from django.core.management import call_command

from loancrm.applications import lifecycle
from loancrm.contracts import services
from loancrm.contracts.errors import (
    ContractAlreadySigned,
    NotRead,
    SealCertificateMissing,
)
from loancrm.contracts.models import ContractFile, ContractParty, ImmutableFile
from loancrm.core.errors import ValidationFailed
from loancrm.core.models import AuditEvent
from loancrm.messaging.errors import SmsCodeRejected
from loancrm.messaging.models import SmsMessage

pytestmark = pytest.mark.django_db


def _code(mobile: str) -> str:
    message = SmsMessage.objects.filter(template_code="contract_sign_code").order_by("-id").first()
    assert message is not None and message.mobile == mobile
    return re.search(r"(\d{6})", message.text).group(1)


def _sign(party: ContractParty, *, code: str | None = None, read: bool = True):
    services.contract_sign_code_send(token=party.token)
    return services.contract_party_sign(token=party.token, code=code or _code(party.mobile), read_confirmed=read)


@pytest.fixture
def contract(approved, people):
    return services.contract_generate(application_id=approved.pk, actor=people["supervisor"])


def test_generation_sends_the_contract_for_signature(contract, approved):
    approved.refresh_from_db()
    assert (contract.status, approved.status) == ("awaiting_signatures", "contracting")
    assert contract.contract_no == lifecycle.contract_number(approved)
    ready = SmsMessage.objects.get(template_code="contract_ready")
    assert contract.contract_no in ready.text and "/h5/contract/" in ready.text


def test_a_wrong_code_is_refused_and_nothing_is_written(contract):
    party = contract.parties.get()
    services.contract_sign_code_send(token=party.token)
    events = AuditEvent.objects.count()
    with pytest.raises(SmsCodeRejected):
        services.contract_party_sign(token=party.token, code="000000" if _code(party.mobile) != "000000" else "111111",
                                     read_confirmed=True)  # fmt: skip
    party.refresh_from_db()
    contract.refresh_from_db()
    assert (party.signed_at, contract.status, contract.files.count()) == (None, "awaiting_signatures", 1)
    assert AuditEvent.objects.count() == events


def test_signing_needs_the_read_confirmation(contract):
    party = contract.parties.get()
    services.contract_sign_code_send(token=party.token)
    with pytest.raises(NotRead):
        services.contract_party_sign(token=party.token, code=_code(party.mobile), read_confirmed=False)
    party.refresh_from_db()
    assert party.signed_at is None


def test_the_borrower_signs_the_seal_goes_on_and_the_file_verifies(contract, approved):
    # when the only party signs with the right code
    party = _sign(contract.parties.get())
    contract.refresh_from_db()
    approved.refresh_from_db()
    # then the contract is sealed and signed, the application moves on, and the signed file verifies
    assert party.signed_at is not None and party.sms_ref.startswith("sms-code:")
    assert (contract.status, approved.status) == ("signed", "signed")
    signed = contract.latest_file("signed")
    result = services.contract_verify(signed)
    assert result.valid and result.hash_ok and result.signature.valid
    assert "Test seal" in result.signature.signer and result.signature.field == "LenderSeal"
    check = next(c for c in lifecycle.disbursement_checks(approved) if c.code == "contract_signed")
    assert check.passed


def test_a_flipped_byte_fails_verification_and_the_download_is_refused(contract, people, tmp_path):
    _sign(contract.parties.get())
    signed = contract.latest_file("signed")
    data = bytearray(Path(signed.file.path).read_bytes())
    data[len(data) // 2] ^= 0x01
    # a copy with one byte flipped fails
    assert not services.contract_verify(signed, data=bytes(data)).valid
    copy = tmp_path / "copy.pdf"
    copy.write_bytes(bytes(data))
    with pytest.raises(SystemExit) as exited:
        call_command("contract_verify", contract.contract_no, "--file", str(copy))
    assert exited.value.code == 1
    call_command("contract_verify", contract.contract_no)  # the stored file is still valid (no exit)
    # the stored file tampered on disk: download refused and audited, the disbursement check fails
    Path(signed.file.path).write_bytes(bytes(data))
    verification, served = services.contract_file_open(contract_file=signed, actor=people["ops"])
    assert served is None and not verification.hash_ok
    assert AuditEvent.objects.filter(action="contract.download_refused").count() == 1
    check = next(c for c in lifecycle.disbursement_checks(contract.application) if c.code == "contract_signed")
    assert not check.passed


def test_the_seal_waits_for_the_guarantor(contract, people):
    # given a guarantor added before anyone signs
    guarantor = services.contract_guarantor_add(contract_id=contract.pk, name="王五", id_number="11010519491231002X",
                                                mobile="13700000001", actor=people["supervisor"])  # fmt: skip
    assert contract.files.filter(kind="unsigned").count() == 2  # re-rendered with the guarantor
    # when the borrower signs, the contract still waits
    _sign(contract.parties.get(role="borrower"))
    contract.refresh_from_db()
    assert (contract.status, contract.files.filter(kind="signed").count()) == ("awaiting_signatures", 0)
    # no guarantor can be added any more, nor can the contract be regenerated
    with pytest.raises(ContractAlreadySigned):
        services.contract_guarantor_add(contract_id=contract.pk, name="赵六", id_number="110105194912310037",
                                        mobile="13700000002", actor=people["supervisor"])  # fmt: skip
    with pytest.raises(ContractAlreadySigned):
        services.contract_generate(application_id=contract.application_id, actor=people["supervisor"])
    # the guarantor signs with their own code: now the seal goes on
    _sign(guarantor)
    contract.refresh_from_db()
    assert contract.status == "signed"
    assert services.contract_verify(contract.latest_file("signed")).valid


def test_a_missing_seal_certificate_refuses_the_last_signature_with_a_clear_message(contract, settings, tmp_path):
    settings.LOANCRM_SEAL_PKCS12 = str(tmp_path / "none.p12")
    party = contract.parties.get()
    services.contract_sign_code_send(token=party.token)
    with pytest.raises(SealCertificateMissing) as caught:
        services.contract_party_sign(token=party.token, code=_code(party.mobile), read_confirmed=True)
    assert "LOANCRM_SEAL_PKCS12" in str(caught.value) and "seal_cert_demo" in str(caught.value)
    party.refresh_from_db()
    assert party.signed_at is None


def test_contract_files_are_append_only(contract):
    record = contract.files.get()
    record.size = 1
    with pytest.raises(ImmutableFile):
        record.save()
    with pytest.raises(ImmutableFile):
        record.delete()
    with pytest.raises(ImmutableFile):
        ContractFile.objects.filter(pk=record.pk).update(size=1)
    with pytest.raises(ImmutableFile):
        ContractFile.objects.filter(pk=record.pk).delete()
    assert ContractFile.objects.get(pk=record.pk).size != 1


def test_cancel_needs_a_reason_and_cancels_the_application(contract, people):
    with pytest.raises(ValidationFailed):
        services.contract_cancel(contract_id=contract.pk, reason=" ", actor=people["supervisor"])
    contract.refresh_from_db()
    assert contract.status == "awaiting_signatures"
    services.contract_cancel(contract_id=contract.pk, reason="客户放弃", actor=people["supervisor"])
    contract.refresh_from_db()
    contract.application.refresh_from_db()
    assert (contract.status, contract.application.status) == ("cancelled", "cancelled")


def test_seal_cert_demo_writes_a_usable_certificate(settings, tmp_path):
    settings.LOANCRM_SEAL_PKCS12 = str(tmp_path / "var" / "seal.p12")
    call_command("seal_cert_demo")
    from loancrm.contracts.sealing import load_seal

    assert load_seal().trust_roots
    call_command("seal_cert_demo", "--if-missing")  # exists: nothing to do
