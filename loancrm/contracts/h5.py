"""The signing pages of a contract party (H5, mobile first, Chinese by default), reached by the link in the SMS.

Invariants: the link's token identifies one party and opens nothing else; signing needs the "I have read" tick and
an SMS code sent to the party's mobile on the contract, so holding the link alone is not enough; the PDF shown is
the stored file, verified before it is served.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from loancrm.contracts import rendering, services
from loancrm.contracts.choices import ContractStatus, FileKind
from loancrm.contracts.forms import SignForm
from loancrm.contracts.models import ContractParty
from loancrm.core.errors import DomainError, NotFound
from loancrm.core.forms import add_domain_error
from loancrm.core.masking import mask_mobile


def _party(token: str) -> ContractParty:
    try:
        return services.party_by_token(token)
    except NotFound:
        raise Http404 from None


def _simulated() -> bool:
    return getattr(settings, "SMS_PROVIDER", "").endswith("SimulatorProvider")


@require_http_methods(["GET", "POST"])
def sign(request: HttpRequest, token: str) -> HttpResponse:
    party = _party(token)
    contract = party.contract
    form = SignForm(request.POST or None)
    status, code_sent = 200, False
    if request.method == "POST" and form.is_valid():
        action = request.POST.get("action", "")
        try:
            if action == "send":
                services.contract_sign_code_send(token=token, request=request)
                code_sent = True
                messages.info(request, _("A verification code has been sent to %(mobile)s.")
                              % {"mobile": mask_mobile(party.mobile)})  # fmt: skip
            elif action == "sign":
                services.contract_party_sign(token=token, code=form.cleaned_data["code"],
                                             read_confirmed=form.cleaned_data["read"], request=request)  # fmt: skip
                messages.success(request, _("You have signed the contract."))
                return redirect("contracts_h5:sign", token=token)
        except DomainError as exc:
            add_domain_error(form, exc)
            code_sent = action == "sign"
            status = 429 if exc.status == 429 else 400
    party.refresh_from_db()
    contract.refresh_from_db()
    context: dict[str, Any] = {
        "party": party, "contract": contract, "form": form, "code_sent": code_sent, "simulated": _simulated(),
        "terms": rendering.contract_context(contract), "mobile": mask_mobile(party.mobile),
        "open": contract.status == ContractStatus.AWAITING_SIGNATURES and not party.has_signed,
        "others": [p for p in contract.parties.order_by("position", "id") if p.pk != party.pk],
        "has_file": contract.files.exists(),
    }  # fmt: skip
    return render(request, "contracts/h5/sign.html", context, status=status)


@require_GET
def contract_pdf(request: HttpRequest, token: str) -> HttpResponse:
    party = _party(token)
    contract = party.contract
    record = contract.latest_file(FileKind.SIGNED) or contract.latest_file(FileKind.UNSIGNED)
    if record is None:
        raise Http404
    _verification, data = services.contract_file_open(
        contract_file=record, actor=f"contract-party:{contract.contract_no}#{party.position}", request=request
    )
    if data is None:
        messages.error(request, _("The contract file cannot be shown: it fails verification. Please contact us."))
        return redirect("contracts_h5:sign", token=token)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{contract.contract_no}.pdf"'
    return response
