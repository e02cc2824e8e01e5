"""The lender's seal: a PAdES (baseline B-B) signature with pyHanko in the signature field ``LenderSeal``, and its
verification.

The certificate is a PKCS#12 file (``settings.LOANCRM_SEAL_PKCS12``, passphrase ``LOANCRM_SEAL_PASSPHRASE``):
production takes a CA-issued one, ``manage.py seal_cert_demo`` makes a self-signed demo one. Verification trusts
the configured certificate and the chain in its file: a signature is valid when the signed bytes are intact, the
signature checks, the signer chains to a trusted certificate and the signature covers the whole file.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings

from loancrm.contracts.errors import SealCertificateInvalid, SealCertificateMissing

FIELD_NAME = "LenderSeal"


@dataclass(frozen=True)
class SealKeys:
    signer: Any
    trust_roots: list[Any]


@dataclass(frozen=True)
class SignatureCheck:
    valid: bool
    intact: bool = False
    trusted: bool = False
    signer: str = ""
    signed_at: datetime | None = None
    field: str = ""
    error: str = ""


def _configured() -> tuple[Path, bytes]:
    raw = str(getattr(settings, "LOANCRM_SEAL_PKCS12", "") or "")
    path = Path(raw)
    if not raw or not path.is_file():
        raise SealCertificateMissing()
    passphrase = str(getattr(settings, "LOANCRM_SEAL_PASSPHRASE", "") or "")
    return path, passphrase.encode()


def load_seal() -> SealKeys:
    """The signer and the certificates verification trusts (``SealCertificateMissing`` / ``...Invalid``)."""
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives.serialization import Encoding, pkcs12
    from pyhanko.sign import signers

    path, passphrase = _configured()
    data = path.read_bytes()
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, passphrase or None)
        if key is None or cert is None:
            raise ValueError("no key or certificate in the PKCS#12 file")
        signer = signers.SimpleSigner.load_pkcs12_data(data, other_certs=[], passphrase=passphrase or None)
    except (ValueError, TypeError) as exc:
        raise SealCertificateInvalid() from exc
    roots = [asn1_x509.Certificate.load(c.public_bytes(Encoding.DER)) for c in [cert, *extra]]
    return SealKeys(signer=signer, trust_roots=roots)


def seal_pdf(pdf: bytes, *, reason: str, location: str, keys: SealKeys | None = None) -> bytes:
    """``pdf`` with the lender's PAdES signature appended (an incremental update) in a visible field."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.stamp import TextStampStyle

    keys = keys or load_seal()
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME, subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256", reason=reason,
        location=location,
    )  # fmt: skip
    style = TextStampStyle(stamp_text="Lender seal (PAdES)\nSigner: %(signer)s\nTime: %(ts)s")
    field = fields.SigFieldSpec(sig_field_name=FIELD_NAME, on_page=-1, box=(360, 60, 560, 130))
    pdf_signer = signers.PdfSigner(meta, signer=keys.signer, stamp_style=style, new_field_spec=field)
    out = pdf_signer.sign_pdf(writer)
    return bytes(out.getvalue())


def verify_pdf(data: bytes, *, keys: SealKeys | None = None) -> SignatureCheck:
    """Validate the ``LenderSeal`` signature of ``data`` against the configured seal's certificates."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    keys = keys or load_seal()
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        found = [s for s in reader.embedded_signatures if s.field_name == FIELD_NAME]
        if not found:
            return SignatureCheck(valid=False, error="no LenderSeal signature")
        status = validate_pdf_signature(found[0], ValidationContext(trust_roots=keys.trust_roots))
    except Exception as exc:  # a damaged file is an invalid signature, whatever the parser says
        return SignatureCheck(valid=False, error=f"{type(exc).__name__}: {exc}"[:200])
    whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    return SignatureCheck(
        valid=bool(status.bottom_line and whole), intact=bool(status.intact), trusted=bool(status.trusted),
        signer=status.signing_cert.subject.human_friendly if status.signing_cert else "",
        signed_at=status.signer_reported_dt, field=FIELD_NAME,
        error="" if status.bottom_line and whole else ("not intact" if not status.intact else "not valid or trusted"),
    )  # fmt: skip
