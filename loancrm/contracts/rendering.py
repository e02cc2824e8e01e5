"""Contract rendering: the template context from a contract's frozen terms, the HTML, and the PDF (WeasyPrint).

Invariants: everything printed comes from the contract row (terms frozen at generation) and its parties, never from
the application's current values; the PDF embeds a CJK font (``fonts.cjk_font_family`` refuses to render without
one); the contract text is Chinese whatever the UI language.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.template import Context, Engine
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from loancrm.contracts import fonts
from loancrm.contracts.amount_words import amount_in_words
from loancrm.contracts.choices import PartyRole
from loancrm.core.masking import mask_mobile
from loancrm.core.money import format_money

METHOD_TEXT = {
    "equal_installment": "等额本息",
    "equal_principal": "等额本金",
    "interest_only": "按月付息、到期还本（先息后本）",
    "bullet": "到期一次还本付息",
}
FEE_KIND_TEXT = {"one_off": "放款时一次性收取", "periodic": "每期随还款收取"}
ROLE_TEXT = {PartyRole.BORROWER: "借款人（乙方）", PartyRole.GUARANTOR: "保证人（丙方）"}
DEFAULT_LENDER = {
    "name": "示范小额贷款有限公司",
    "licence": "示范地方金融监督管理局 小额贷款经营许可 XD-DEMO-0001",
    "credit_code": "91110000DEMO00001X",
    "address": "北京市朝阳区示范路 1 号",
    "phone": "400-000-0000",
    "location": "北京",
}


def lender() -> dict[str, str]:
    """The lender's details on the contract: ``settings.LOANCRM_LENDER`` over the demo defaults."""
    return DEFAULT_LENDER | dict(getattr(settings, "LOANCRM_LENDER", {}) or {})


def _pct(fraction: Decimal) -> str:
    return f"{(fraction * 100).quantize(Decimal('0.01'))}"


def _party(p: Any) -> dict[str, Any]:
    signed = timezone.localtime(p.signed_at).strftime("%Y-%m-%d %H:%M:%S") if p.signed_at else ""
    return {
        "role": p.role, "role_label": ROLE_TEXT.get(p.role, p.role), "name": p.name,
        "id_number_masked": p.id_number_masked or "—", "mobile_masked": mask_mobile(p.mobile), "signed_at": signed,
        "sign_ip": p.sign_ip or "",
    }  # fmt: skip


def contract_context(contract: Any, *, sealed: bool = False) -> dict[str, Any]:
    """The variables a contract template sees."""
    from loancrm.applications.choices import Purpose

    application = contract.application
    terms = contract.terms or {}
    parties = [_party(p) for p in contract.parties.order_by("position", "id")]
    rows = contract.schedule or []
    total = {k: sum((Decimal(r[k]) for r in rows), Decimal(0)) for k in ("principal", "interest", "payment")}
    fees = []
    for fee in contract.fees or []:
        rate = Decimal(fee["rate"]) if fee.get("rate") and not fee.get("fixed") else None
        text = f"¥{format_money(Decimal(fee['amount']))}" + (
            f"（借款金额的 {_pct(rate)}%）" if rate is not None else ""
        )
        fees.append({"name": fee["name"], "kind_label": FEE_KIND_TEXT.get(fee["kind"], fee["kind"]), "text": text})
    multiplier = Decimal(str(terms.get("penalty_multiplier", "1.5")))
    with translation.override("zh-hans"):
        purpose = str(dict(Purpose.choices).get(application.purpose, application.purpose or "—"))
    return {
        "title": contract.template.title, "contract_no": contract.contract_no,
        "generated_on": timezone.localtime(contract.generated_at).date().isoformat(), "lender": lender(),
        "parties": parties, "guarantors": [p for p in parties if p["role"] == PartyRole.GUARANTOR],
        "amount": format_money(contract.amount), "amount_words": amount_in_words(contract.amount),
        "annual_rate_pct": _pct(contract.annual_rate), "apr_pct": _pct(contract.apr),
        "term_months": contract.term_months, "method_label": METHOD_TEXT.get(contract.method, contract.method),
        "start_date": contract.start_date.isoformat(), "maturity_date": rows[-1]["due_date"] if rows else "",
        "purpose_label": purpose, "product_name": application.product_version.product.name,
        "schedule": [r | {k: format_money(Decimal(r[k])) for k in ("principal", "interest", "payment", "balance")}
                     for r in rows],
        "totals": {k: format_money(v) for k, v in total.items()}, "fees": fees,
        "day_count": terms.get("day_count", 360), "grace_days": terms.get("grace_days", 0),
        "compound": bool(terms.get("compound", True)),
        "penalty_markup_pct": _pct(multiplier - 1), "penalty_rate_pct": _pct(contract.annual_rate * multiplier),
        "prepayment": {"notice_days": terms.get("prepayment_notice_days", 3),
                       "fee_rate_pct": _pct(Decimal(str(terms.get("prepayment_fee_rate", "0"))))},
        "sealed": sealed,
    }  # fmt: skip


def render_html(body: str, context: dict[str, Any]) -> str:
    """The template ``body`` (a Django template string, autoescaped) rendered with ``context``."""
    engine = Engine(libraries={}, builtins=["django.template.defaultfilters", "django.template.defaulttags"])
    return engine.from_string(body).render(Context(context, autoescape=True))


def html_to_pdf(html: str, *, title: str = "") -> bytes:
    from PIL import ImageFile
    from weasyprint import HTML

    # Importing WeasyPrint turns on Pillow's process-wide LOAD_TRUNCATED_IMAGES; the upload checks (documents, OCR)
    # rely on truncated images being refused, and contract templates embed no images, so it is turned off again.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    document = HTML(string=html, base_url=None).render()
    document.metadata.title = title
    document.metadata.authors = [lender()["name"]]
    document.metadata.created = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    return bytes(document.write_pdf())


def render_contract_pdf(contract: Any, *, body: str | None = None, sealed: bool = False) -> bytes:
    """The contract as a PDF with the CJK font embedded (``CjkFontMissing`` when no Chinese font is installed)."""
    context = contract_context(contract, sealed=sealed)
    return render_pdf(body if body is not None else contract.template.body, context)


def render_pdf(body: str, context: dict[str, Any]) -> bytes:
    context["font_family"] = _css_family(fonts.cjk_font_family())
    return html_to_pdf(render_html(body, context), title=f"{context['title']} {context['contract_no']}")


def _css_family(family: str) -> str:
    """The font-family list for the stylesheet (font names only: letters, digits, spaces, quotes, commas)."""
    if not re.fullmatch(r'[\w\s",.-]+', family):
        raise ValueError(f"unexpected font family {family!r}")
    return mark_safe(family)  # noqa: S308 (checked above; quotes must not be escaped inside <style>)


def sample_context(*, title: str, product_name: str, fees: list[dict[str, Any]], method: str = "equal_installment",
                   terms: dict[str, Any] | None = None) -> dict[str, Any]:  # fmt: skip
    """The context of a template preview: a sample borrower and 100,000 at 12 % over 12 months."""
    from types import SimpleNamespace

    from loancrm.contracts.terms import freeze

    start = timezone.localdate()
    frozen = freeze(principal=Decimal("100000.00"), annual_rate=Decimal("0.12"), term_months=12, method=method,
                    start_date=start, fees=fees, day_count=int((terms or {}).get("day_count", 360)))  # fmt: skip
    party = SimpleNamespace(role=PartyRole.BORROWER, name="张三（示例）", id_number_masked="110***********0015",
                            mobile="13900000000", signed_at=None, sign_ip="")  # fmt: skip
    parties = _Rows([party])
    contract = SimpleNamespace(
        template=SimpleNamespace(title=title), contract_no="HT-PREVIEW", generated_at=timezone.now(),
        application=SimpleNamespace(purpose="consumption", product_version=SimpleNamespace(
            product=SimpleNamespace(name=product_name))),
        parties=parties, schedule=frozen.schedule, fees=frozen.fees, terms=terms or {}, amount=Decimal("100000.00"),
        annual_rate=Decimal("0.12"), apr=frozen.apr, term_months=12, method=method, start_date=start,
    )  # fmt: skip
    return contract_context(contract)


class _Rows(list[Any]):
    def order_by(self, *fields: str) -> list[Any]:
        return list(self)
