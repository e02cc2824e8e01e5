"""Pages: the list and contract page for staff, verified downloads, template versions, the H5 signing page."""

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from loancrm.contracts import services
from loancrm.contracts.models import ContractTemplate
from loancrm.messaging.models import SmsMessage

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def contract(approved, people):
    return services.contract_generate(application_id=approved.pk, actor=people["supervisor"])


def _last_code() -> str:
    return re.search(r"(\d{6})", SmsMessage.objects.filter(template_code="contract_sign_code").latest("id").text).group(
        1
    )


def test_the_list_filters_by_status_and_the_page_shows_parties_and_files(contract, people):
    client = _client(people["supervisor"])
    page = client.get(reverse("contracts:list"), {"status": "awaiting_signatures", "sort": "-amount"})
    assert page.status_code == 200 and contract.contract_no in page.content.decode()
    assert contract.contract_no not in client.get(reverse("contracts:list"), {"status": "signed"}).content.decode()
    detail = client.get(reverse("contracts:detail", args=[contract.pk])).content.decode()
    assert contract.files.get().sha256 in detail and 'data-testid="generate-contract"' in detail


def test_the_sales_agent_has_no_contract_pages(contract, people):
    assert _client(people["agent"]).get(reverse("contracts:list")).status_code == 403


def test_h5_signing_flow_with_sms_code(contract, people):
    party = contract.parties.get()
    client = Client()
    url = reverse("contracts_h5:sign", args=[party.token])
    page = client.get(url)
    assert page.status_code == 200 and "¥50,000.00" in page.content.decode()
    assert client.get(reverse("contracts_h5:pdf", args=[party.token]))["Content-Type"] == "application/pdf"
    # wrong code: refused, nothing signed
    assert client.post(url, {"action": "send", "read": "on"}).status_code == 200
    response = client.post(url, {"action": "sign", "read": "on", "code": "000000" if _last_code() != "000000" else "1"})
    assert response.status_code == 400
    party.refresh_from_db()
    assert party.signed_at is None
    # right code: signed, sealed
    response = client.post(url, {"action": "sign", "read": "on", "code": _last_code()})
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.status == "signed"
    assert 'data-testid="h5-signed"' in client.get(url).content.decode()
    # staff see the verification and download the verified file
    staff = _client(people["supervisor"])
    detail = staff.get(reverse("contracts:detail", args=[contract.pk])).content.decode()
    assert 'data-testid="verify-valid"' in detail
    signed = contract.latest_file("signed")
    download = staff.get(reverse("contracts:file_download", args=[signed.pk]))
    assert download.status_code == 200 and download.content[:5] == b"%PDF-"
    # tampered on disk: refused with a message
    data = bytearray(Path(signed.file.path).read_bytes())
    data[len(data) // 3] ^= 0x01
    Path(signed.file.path).write_bytes(bytes(data))
    refused = staff.get(reverse("contracts:file_download", args=[signed.pk]), follow=True)
    assert refused.redirect_chain and 'data-testid="verify-invalid"' in refused.content.decode()


def test_unknown_token_is_404():
    assert Client().get(reverse("contracts_h5:sign", args=["nope"])).status_code == 404


def test_template_versions_edit_preview_publish(contract, people):
    client = _client(people["ops"])
    product = contract.application.product_version.product
    assert client.get(reverse("contracts:templates")).status_code == 200
    response = client.post(reverse("contracts:template_new", args=[product.pk]))
    draft = ContractTemplate.objects.get(product=product, status="draft")
    assert response.url == reverse("contracts:template_edit", args=[draft.pk])
    # a syntax error is refused, nothing saved
    bad = client.post(reverse("contracts:template_edit", args=[draft.pk]),
                      {"title": "借款合同", "body": "{% if %}", "note": ""})  # fmt: skip
    assert bad.status_code == 400
    draft.refresh_from_db()
    assert draft.body != "{% if %}"
    body = draft.body.replace("<h1>{{ title }}</h1>", "<h1>{{ title }}（第二版）</h1>")
    client.post(reverse("contracts:template_edit", args=[draft.pk]), {"title": "借款合同", "body": body, "note": "v2"})
    preview = client.get(reverse("contracts:template_preview", args=[draft.pk]))
    assert preview["Content-Type"] == "application/pdf"
    client.post(reverse("contracts:template_publish", args=[draft.pk]))
    assert list(ContractTemplate.objects.filter(product=product).values_list("version", "status")) == [
        (2, "published"), (1, "retired")]  # fmt: skip
    # regenerating uses the new version
    regenerated = services.contract_generate(application_id=contract.application_id, actor=people["ops"])
    assert regenerated.template.version == 2


def test_the_api_shows_the_contract_and_its_verification(contract, people):
    client = _client(people["supervisor"])
    party = contract.parties.get()
    services.contract_sign_code_send(token=party.token)
    services.contract_party_sign(token=party.token, code=_last_code(), read_confirmed=True)
    body = client.get(f"/api/v1/contracts/{contract.contract_no}").json()
    assert (body["status"], body["amount"], body["apr"], len(body["files"])) == ("signed", "50000.00", "0.144000", 2)
    verified = client.get(f"/api/v1/contracts/{contract.contract_no}/verify").json()
    assert verified["valid"] and verified["signature_valid"] and verified["hash_ok"]
    assert _client(people["agent"]).get(f"/api/v1/contracts/{contract.contract_no}").status_code == 403
