"""Contract PDF (#8): our render, seal and verification beside the bare libraries on the same input.

- render: ``contracts.rendering.render_pdf`` (Django template of the default contract, CJK font lookup, WeasyPrint)
  against WeasyPrint alone writing the same, already rendered HTML;
- seal: ``contracts.sealing.seal_pdf`` (PAdES with the visible LenderSeal stamp) against pyHanko's
  ``sign_pdf`` with the same signer and no stamp;
- verify: ``contracts.sealing.verify_pdf`` (signature, trust and integrity) against SHA-256 of the file, the check
  every download also makes.

A 12-month and a 60-month contract (the schedule is most of the pages). No database is involved; the baseline is
the library's own work, so the ratio is what our code adds.
"""

from __future__ import annotations

import hashlib
import io
import tempfile
from pathlib import Path
from typing import Any


def run(*, best_of: Any, report: Any) -> None:
    from django.conf import settings
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from weasyprint import HTML

    from loancrm.contracts import fonts, rendering, sealing
    from loancrm.contracts.certs import self_signed_pkcs12
    from loancrm.contracts.default_template import DEFAULT_BODY, DEFAULT_TITLE

    path = Path(tempfile.mkdtemp(prefix="loancrm-seal-")) / "seal.p12"
    secret = "bench-seal"  # noqa: S105 (a throw-away certificate in a temporary folder)
    path.write_bytes(self_signed_pkcs12(organisation="基准贷款公司", common_name="bench seal", passphrase=secret))
    settings.LOANCRM_SEAL_PKCS12, settings.LOANCRM_SEAL_PASSPHRASE = str(path), secret
    meta = signers.PdfSignatureMetadata(field_name="Bench")
    keys = sealing.load_seal()
    for months in (12, 60):
        context = rendering.sample_context(title=DEFAULT_TITLE, product_name="消费贷", fees=[],
                                           terms={"term_months": months})  # fmt: skip
        context["schedule"] = context["schedule"] if months == 12 else _longer(months)
        pdf = rendering.render_pdf(DEFAULT_BODY, dict(context))
        html = rendering.render_html(
            DEFAULT_BODY, dict(context, font_family=rendering._css_family(fonts.cjk_font_family()))
        )
        ours = best_of(lambda c=context: rendering.render_pdf(DEFAULT_BODY, dict(c)), repeat=3)
        raw = best_of(lambda h=html: HTML(string=h).write_pdf(), repeat=3)
        report(f"contract render ({months} months)", f"{len(pdf) // 1024} KB", ours, raw)
        sealed = sealing.seal_pdf(pdf, reason="bench", location="北京", keys=keys)

        def bare(p: bytes = pdf) -> bytes:
            out = io.BytesIO()
            signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(p)), meta, signer=keys.signer, output=out)
            return out.getvalue()

        ours = best_of(lambda p=pdf: sealing.seal_pdf(p, reason="bench", location="北京", keys=keys), repeat=3)
        report(f"contract seal ({months} months)", "PAdES", ours, best_of(bare, repeat=3))
        ours = best_of(lambda s=sealed: sealing.verify_pdf(s, keys=keys), repeat=3)
        raw = best_of(lambda s=sealed: hashlib.sha256(s).hexdigest(), repeat=3)
        report(f"contract verify ({months} months)", "signature+hash", ours, raw, "(baseline: SHA-256 only)")


def _longer(months: int) -> list[dict[str, Any]]:
    from decimal import Decimal

    from django.utils import timezone

    from loancrm.contracts.terms import freeze
    from loancrm.core.money import format_money

    frozen = freeze(principal=Decimal("300000.00"), annual_rate=Decimal("0.12"), term_months=months,
                    method="equal_installment", start_date=timezone.localdate(), fees=[], day_count=360)  # fmt: skip
    keys = ("principal", "interest", "payment", "balance")
    return [row | {k: format_money(Decimal(row[k])) for k in keys} for row in frozen.schedule]
