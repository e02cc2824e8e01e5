"""Rendering: the PDF carries extractable Chinese text and an embedded CJK font; a missing font is a clear error."""

import io
from decimal import Decimal

import pypdf
import pypdfium2
import pytest

from loancrm.contracts import fonts
from loancrm.contracts.errors import CjkFontMissing
from loancrm.contracts.models import Contract
from loancrm.contracts.rendering import contract_context, render_contract_pdf
from loancrm.contracts.services import contract_generate

pytestmark = pytest.mark.django_db


def _text(pdf: bytes) -> str:
    doc = pypdfium2.PdfDocument(pdf)
    return "".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))


def _embedded_fonts(pdf: bytes) -> set[str]:
    names = set()
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"].get("/Font", {}).values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            descriptor = (descendants[0].get_object() if descendants else font).get("/FontDescriptor").get_object()
            if any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
                names.add(str(font["/BaseFont"]))
    return names


def test_the_contract_pdf_has_chinese_text_and_an_embedded_cjk_font(approved, people):
    # given an approved application whose contract was prepared at approval
    contract = Contract.objects.get(application=approved)
    assert contract.status == "draft" and contract.files.count() == 0
    # when it is generated
    contract = contract_generate(application_id=approved.pk, actor=people["supervisor"])
    # then the unsigned PDF holds the terms in Chinese with the font embedded
    pdf = contract.latest_file("unsigned").file.read()
    text = _text(pdf)
    assert "个人借款合同" in text
    assert "人民币伍万元整" in text
    assert contract.contract_no in text
    assert "ROUND_HALF_UP" in text and "最后一期承担全部尾差" in text
    assert any("CJK" in name for name in _embedded_fonts(pdf))


def test_the_context_shows_amount_in_capitals_apr_and_the_full_schedule(approved, people):
    contract = contract_generate(application_id=approved.pk, actor=people["supervisor"])
    context = contract_context(contract)
    assert context["amount"] == "50,000.00"
    assert context["amount_words"] == "伍万元整"
    assert context["annual_rate_pct"] == "14.40"
    assert contract.apr == Decimal("0.144000")  # no fees: the APR equals the nominal rate
    assert len(context["schedule"]) == 12
    assert context["schedule"][0]["payment"] == "4,498.77"
    assert context["totals"]["principal"] == "50,000.00"
    assert context["penalty_rate_pct"] == "21.60"  # 14.4 % × 1.5


def test_fees_raise_the_apr(people):
    from loancrm.contracts.tests.factories import make_approved_application

    fees = [{"name": "GPS 安装费", "kind": "one_off", "amount": "1200.00"}]
    application = make_approved_application(people["agent"], code="GPS", fees=fees)
    contract = contract_generate(application_id=application.pk, actor=people["supervisor"])
    assert contract.fees == [{"name": "GPS 安装费", "kind": "one_off", "amount": "1200.00", "rate": "", "fixed": "1"}]
    assert contract.apr == Decimal("0.190657")


def test_without_a_cjk_font_rendering_names_the_package_to_install(approved, people, monkeypatch):
    # given no Chinese font known to fontconfig
    monkeypatch.setattr(fonts, "detect_cjk_fonts", list)
    contract = Contract.objects.get(application=approved)
    # when the contract is rendered, then the error names the package; generating writes nothing
    with pytest.raises(CjkFontMissing) as caught:
        render_contract_pdf(contract)
    assert "apt-get install fonts-noto-cjk" in str(caught.value)
    with pytest.raises(CjkFontMissing):
        contract_generate(application_id=approved.pk, actor=people["supervisor"])
    contract.refresh_from_db()
    approved.refresh_from_db()
    assert (contract.status, contract.files.count(), approved.status) == ("draft", 0, "approved")


def test_the_detector_reads_fontconfig():
    assert any("CJK" in name or "WenQuanYi" in name for name in fonts.detect_cjk_fonts())


def test_rendering_leaves_truncated_images_refused_process_wide():
    from PIL import ImageFile

    from loancrm.contracts.rendering import html_to_pdf

    html_to_pdf("<p>借款合同</p>")

    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
