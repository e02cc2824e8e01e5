"""Contract writes: templates (draft → published → retired), generation from the approved terms, guarantors,
signing with SMS codes, the lender's seal, cancellation, and verification of the stored files.

Invariants: a contract's terms are frozen at generation from ``lifecycle.approved_terms`` and can be regenerated
only while no party has signed; each party signs once, with an SMS code sent to the mobile on the contract; the seal
is applied only when every party has signed, in the same transaction that marks the contract signed and tells the
disbursement stage (``lifecycle.contract_signed``); contract files are append-only, each with the SHA-256 of its
bytes; a refused action writes nothing (a wrong SMS code counts against the code, as messaging records it).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest
from django.template import TemplateSyntaxError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loancrm.applications import lifecycle
from loancrm.applications.choices import Status
from loancrm.applications.models import Application
from loancrm.applications.principal import CustomerPrincipal
from loancrm.applications.services import application_set_status
from loancrm.contracts import rendering, sealing
from loancrm.contracts.choices import CONTRACT_TRANSITIONS, ContractStatus, FileKind, PartyRole, TemplateStatus
from loancrm.contracts.default_template import DEFAULT_BODY, DEFAULT_TITLE
from loancrm.contracts.errors import (
    ContractAlreadySigned,
    ContractNotGeneratable,
    ContractNotOpenForSigning,
    NoTemplate,
    NotRead,
    PartyAlreadySigned,
)
from loancrm.contracts.models import Contract, ContractFile, ContractParty, ContractTemplate
from loancrm.contracts.terms import freeze
from loancrm.core.audit import audit_event, client_ip
from loancrm.core.business_date import current_business_date
from loancrm.core.china_ids import InvalidIdNumber, InvalidMobile, normalize_id_number, normalize_mobile
from loancrm.core.errors import InvalidTransition, NotFound, ValidationFailed
from loancrm.core.masking import mask_id_number
from loancrm.core.money import money_str
from loancrm.customers.models import Customer
from loancrm.messaging.services import mobile_digest, send_sms, sms_code_send, sms_code_verify
from loancrm.products.models import Product

log = logging.getLogger(__name__)
SIGN_PURPOSE = "contract_sign"
GENERATABLE = (Status.APPROVED, Status.AUTO_APPROVED, Status.CONTRACTING)
PREPAYMENT_NOTICE_DAYS = 3


def _ensure(contract: Contract, status: str) -> None:
    if status not in CONTRACT_TRANSITIONS.get(contract.status, set()):
        raise InvalidTransition()


# --- templates ---------------------------------------------------------------------------------------------------


def template_for_product(product: Product) -> ContractTemplate:
    """The product's published template; a product without any template gets the default one as version 1."""
    found = ContractTemplate.objects.filter(product=product, status=TemplateStatus.PUBLISHED).first()
    if found is not None:
        return found
    if ContractTemplate.objects.filter(product=product).exists():
        raise NoTemplate()
    return ContractTemplate.objects.create(
        product=product, version=1, status=TemplateStatus.PUBLISHED, title=DEFAULT_TITLE, body=DEFAULT_BODY,
        note="default template", published_at=timezone.now(),
    )  # fmt: skip


@transaction.atomic
def contract_template_draft(*, product_id: int, actor: Any, request: HttpRequest | None = None) -> ContractTemplate:
    """A new draft version of the product's template, copied from the latest version (or the default)."""
    product = Product.objects.select_for_update().filter(pk=product_id).first()
    if product is None:
        raise NotFound()
    existing = ContractTemplate.objects.filter(product=product, status=TemplateStatus.DRAFT).first()
    if existing is not None:
        return existing
    latest = ContractTemplate.objects.filter(product=product).order_by("-version").first()
    version = (ContractTemplate.objects.filter(product=product).aggregate(v=Max("version"))["v"] or 0) + 1
    draft = ContractTemplate.objects.create(
        product=product, version=version, title=latest.title if latest else DEFAULT_TITLE,
        body=latest.body if latest else DEFAULT_BODY, created_by=actor,
    )  # fmt: skip
    audit_event(actor, "contract_template.drafted", draft, {"product": product.code, "version": version}, request)
    return draft


def _check_body(body: str, title: str, product: Product) -> None:
    try:
        rendering.render_html(body, rendering.sample_context(title=title, product_name=product.name, fees=[])
                              | {"font_family": "serif"})  # fmt: skip
    except TemplateSyntaxError as exc:
        raise ValidationFailed(fields={"body": [_("The template has an error: %(error)s") % {"error": exc}]}) from None


@transaction.atomic
def contract_template_save(
    *, template_id: int, title: str, body: str, note: str = "", actor: Any, request: HttpRequest | None = None
) -> ContractTemplate:
    template = ContractTemplate.objects.select_for_update().select_related("product").filter(pk=template_id).first()
    if template is None:
        raise NotFound()
    if template.status != TemplateStatus.DRAFT:
        raise InvalidTransition(_("Only a draft template can be edited."))
    title, body = title.strip(), body.strip()
    if not title or not body:
        raise ValidationFailed(fields={"title" if not title else "body": [_("This field is required.")]})
    _check_body(body, title, template.product)
    template.title, template.body, template.note = title[:120], body, note.strip()[:200]
    template.save(update_fields=["title", "body", "note"])
    audit_event(actor, "contract_template.saved", template, {"version": template.version}, request)
    return template


@transaction.atomic
def contract_template_publish(*, template_id: int, actor: Any, request: HttpRequest | None = None) -> ContractTemplate:
    """Publish a draft; the product's published version before it is retired (new contracts use this one)."""
    template = ContractTemplate.objects.select_for_update().select_related("product").filter(pk=template_id).first()
    if template is None:
        raise NotFound()
    if template.status != TemplateStatus.DRAFT:
        raise InvalidTransition(_("Only a draft template can be published."))
    _check_body(template.body, template.title, template.product)
    now = timezone.now()
    retired = list(
        ContractTemplate.objects.select_for_update().filter(product=template.product, status=TemplateStatus.PUBLISHED)
    )
    for old in retired:
        old.status, old.retired_at = TemplateStatus.RETIRED, now
        old.save(update_fields=["status", "retired_at"])
    template.status, template.published_at = TemplateStatus.PUBLISHED, now
    template.save(update_fields=["status", "published_at"])
    audit_event(actor, "contract_template.published", template,
                {"version": template.version, "retired": [t.version for t in retired]}, request)  # fmt: skip
    return template


# --- generation --------------------------------------------------------------------------------------------------


def _borrower_details(customer: Customer) -> tuple[str, str, str]:
    mobile = customer.primary_mobile
    if customer.is_corporate:
        profile = getattr(customer, "corporate", None)
        code = getattr(profile, "credit_code", "") or ""
        masked = code[:4] + "*" * max(len(code) - 8, 0) + code[-4:] if len(code) > 8 else code
    else:
        masked = mask_id_number(customer.id_number)
    return customer.name, masked, mobile.mobile if mobile is not None else ""


def _freeze_into(contract: Contract, application: Application, template: ContractTemplate) -> None:
    terms = lifecycle.approved_terms(application)
    if terms is None:
        raise ContractNotGeneratable()
    version = application.product_version
    start = current_business_date()  # the date the loan would book today (``loan_book`` uses the business date)
    frozen = freeze(principal=terms.amount, annual_rate=terms.annual_rate, term_months=terms.term_months,
                    method=terms.method, start_date=start, fees=list(version.fees or []),
                    day_count=int(version.day_count or 360))  # fmt: skip
    contract.template = template
    contract.amount, contract.annual_rate, contract.apr = terms.amount, terms.annual_rate, frozen.apr
    contract.term_months, contract.method, contract.start_date = terms.term_months, terms.method, start
    contract.schedule, contract.fees = frozen.schedule, frozen.fees
    contract.terms = {
        "penalty_multiplier": str(version.penalty_multiplier), "grace_days": version.grace_days,
        "compound": bool(version.compound), "day_count": int(version.day_count or 360),
        "prepayment_notice_days": PREPAYMENT_NOTICE_DAYS, "prepayment_fee_rate": "0",
        "rounding": "ROUND_HALF_UP per line; the last instalment absorbs the residual",
        "product_version": version.version,
    }  # fmt: skip
    contract.generated_at = timezone.now()


def _new_contract(application: Application) -> Contract:
    template = template_for_product(application.product_version.product)
    contract = Contract(application=application, contract_no=lifecycle.contract_number(application))
    _freeze_into(contract, application, template)
    contract.save()
    name, masked, mobile = _borrower_details(application.customer)
    ContractParty.objects.create(contract=contract, role=PartyRole.BORROWER, position=0, customer=application.customer,
                                 name=name, id_number_masked=masked, mobile=mobile)  # fmt: skip
    return contract


def _store_file(contract: Contract, kind: str, data: bytes) -> ContractFile:
    row = ContractFile(contract=contract, kind=kind, sha256=hashlib.sha256(data).hexdigest(), size=len(data),
                       template_version=contract.template.version)  # fmt: skip
    row.file.save("contract.pdf", ContentFile(data), save=False)
    row.save()
    return row


def signing_url(party: ContractParty) -> str:
    base = str(getattr(settings, "LOANCRM_PUBLIC_URL", "") or "").rstrip("/")
    return base + reverse("contracts_h5:sign", args=[party.token])


def _notify(contract: Contract) -> None:
    for party in contract.parties.filter(signed_at__isnull=True):
        if party.mobile:
            send_sms(party.mobile, "contract_ready", {"contract_no": contract.contract_no, "url": signing_url(party)})


def _render_unsigned(contract: Contract) -> ContractFile:
    return _store_file(contract, FileKind.UNSIGNED, rendering.render_contract_pdf(contract))


def contract_prepare(application: Application, actor: Any) -> Contract | None:
    """The ``lifecycle.on_credit_approved`` hook: a draft contract with the terms frozen; the PDF is rendered after
    commit by a task (``contract_generate``), so an approval never waits for the renderer."""
    if hasattr(application, "contract") or Contract.objects.filter(application=application).exists():
        return None
    if lifecycle.approved_terms(application) is None:
        return None
    contract = _new_contract(application)
    audit_event(actor if getattr(actor, "pk", None) else None, "contract.prepared", contract,
                {"application": application.number}, None)  # fmt: skip
    from loancrm.contracts.tasks import enqueue_generate

    transaction.on_commit(lambda: enqueue_generate(application.pk))
    return contract


@transaction.atomic
def contract_generate(*, application_id: int, actor: Any, request: HttpRequest | None = None) -> Contract:
    """Generate (or regenerate, while no party has signed) the contract of an approved application: terms frozen from
    the approved terms, the unsigned PDF stored, the contract out for signature, the application in contracting."""
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("customer", "product_version__product")
        .filter(pk=application_id)
        .first()
    )
    if application is None:
        raise NotFound()
    if application.status not in GENERATABLE or lifecycle.approved_terms(application) is None:
        raise ContractNotGeneratable()
    contract = Contract.objects.select_for_update().filter(application=application).first()
    regenerated = contract is not None and contract.latest_file(FileKind.UNSIGNED) is not None
    if contract is None:
        contract = _new_contract(application)
    else:
        if not contract.is_unsigned:
            raise InvalidTransition(_("Only an unsigned contract can be regenerated."))
        if contract.parties.filter(signed_at__isnull=False).exists():
            raise ContractAlreadySigned()
        _freeze_into(contract, application, template_for_product(application.product_version.product))
        name, masked, _mobile = _borrower_details(application.customer)
        contract.parties.filter(role=PartyRole.BORROWER).update(name=name, id_number_masked=masked)
        contract.save()
    file = _render_unsigned(contract)
    if contract.status == ContractStatus.DRAFT:
        contract.status, contract.sent_at = ContractStatus.AWAITING_SIGNATURES, timezone.now()
        contract.save(update_fields=["status", "sent_at", "updated_at"])
    if application.status != Status.CONTRACTING:
        application_set_status(application_id=application.pk, status=Status.CONTRACTING, actor=actor,
                               reason=f"contract {contract.contract_no}", request=request)  # fmt: skip
    _notify(contract)
    audit_event(actor, "contract.regenerated" if regenerated else "contract.generated", contract, {
        "template_version": contract.template.version, "amount": money_str(contract.amount),
        "annual_rate": str(contract.annual_rate), "apr": str(contract.apr), "term_months": contract.term_months,
        "method": contract.method, "sha256": file.sha256,
    }, request)  # fmt: skip
    return contract


def _locked_contract(contract_id: int) -> Contract:
    contract = Contract.objects.select_for_update().select_related("application", "template").filter(pk=contract_id)
    found = contract.first()
    if found is None:
        raise NotFound()
    return found


@transaction.atomic
def contract_guarantor_add(
    *, contract_id: int, name: str, id_number: str, mobile: str, actor: Any, request: HttpRequest | None = None
) -> ContractParty:
    """Add a guarantor (corporate loans, or a condition of approval) before anyone signs; the PDF is re-rendered."""
    contract = _locked_contract(contract_id)
    if not contract.is_unsigned:
        raise InvalidTransition(_("Guarantors can be added only to an unsigned contract."))
    if contract.parties.filter(signed_at__isnull=False).exists():
        raise ContractAlreadySigned()
    errors: dict[str, list[Any]] = {}
    name = " ".join(name.split())
    if not name:
        errors["name"] = [_("This field is required.")]
    try:
        id_number = normalize_id_number(id_number)
    except InvalidIdNumber:
        errors["id_number"] = [_("Enter a valid ID number.")]
    try:
        mobile = normalize_mobile(mobile)
    except InvalidMobile:
        errors["mobile"] = [_("Enter a mainland mobile number.")]
    if errors:
        raise ValidationFailed(fields=errors)
    if any(p.mobile == mobile for p in contract.parties.all()):
        raise ValidationFailed(fields={"mobile": [_("Each party needs their own mobile number.")]})
    position = (contract.parties.aggregate(p=Max("position"))["p"] or 0) + 1
    party = ContractParty.objects.create(
        contract=contract, role=PartyRole.GUARANTOR, position=position, name=name[:120],
        id_number_masked=mask_id_number(id_number), mobile=mobile, added_by=actor,
    )  # fmt: skip
    file = None
    if contract.status == ContractStatus.AWAITING_SIGNATURES:
        file = _render_unsigned(contract)
        send_sms(mobile, "contract_ready", {"contract_no": contract.contract_no, "url": signing_url(party)})
    audit_event(actor, "contract.guarantor_added", contract,
                {"party": party.pk, "position": position, "sha256": file.sha256 if file else ""}, request)  # fmt: skip
    return party


@transaction.atomic
def contract_cancel(*, contract_id: int, reason: str, actor: Any, request: HttpRequest | None = None) -> Contract:
    """Cancel an unsigned contract (a reason is required); the application is cancelled with it."""
    if not reason.strip():
        raise ValidationFailed(fields={"reason": [_("Give the reason for cancelling.")]})
    contract = _locked_contract(contract_id)
    _ensure(contract, ContractStatus.CANCELLED)
    contract.status, contract.cancelled_at, contract.cancel_reason = (
        ContractStatus.CANCELLED, timezone.now(), reason.strip()[:200])  # fmt: skip
    contract.save(update_fields=["status", "cancelled_at", "cancel_reason", "updated_at"])
    application_set_status(application_id=contract.application_id, status=Status.CANCELLED, actor=actor,
                           reason=f"contract cancelled: {reason.strip()}"[:200], request=request)  # fmt: skip
    audit_event(actor, "contract.cancelled", contract, {"reason": reason.strip()[:200]}, request)
    return contract


# --- signing -----------------------------------------------------------------------------------------------------


def party_by_token(token: str) -> ContractParty:
    party = ContractParty.objects.select_related("contract__application", "contract__template").filter(
        token=token or "-"
    )
    found = party.first()
    if found is None:
        raise NotFound()
    return found


def _party_actor(party: ContractParty) -> Any:
    if party.customer_id is not None and party.customer is not None and party.customer.number:
        return CustomerPrincipal(party.customer_id, party.customer.number)
    return f"contract-party:{party.contract.contract_no}#{party.position}"


def _open_for(party: ContractParty) -> None:
    if party.contract.status != ContractStatus.AWAITING_SIGNATURES:
        raise ContractNotOpenForSigning()
    if party.has_signed:
        raise PartyAlreadySigned()


def contract_sign_code_send(*, token: str, request: HttpRequest | None = None) -> None:
    """Send the signing party an SMS code (to the mobile on the contract)."""
    party = party_by_token(token)
    _open_for(party)
    sms_code_send(mobile=party.mobile, purpose=SIGN_PURPOSE, request=request)


def contract_party_sign(
    *, token: str, code: str, read_confirmed: bool, request: HttpRequest | None = None
) -> ContractParty:
    """The party signs with their SMS code; when it is the last signature the lender's seal goes on."""
    party = party_by_token(token)
    if not read_confirmed:
        raise NotRead(fields={"read": [NotRead.default_message]})
    _open_for(party)
    unsigned_others = party.contract.parties.filter(signed_at__isnull=True).exclude(pk=party.pk).exists()
    keys = None if unsigned_others else sealing.load_seal()  # refuse before the code is used when the seal cannot go on
    sms_code_verify(mobile=party.mobile, purpose=SIGN_PURPOSE, code=code)  # outside our transaction: a wrong try counts
    with transaction.atomic():
        contract = _locked_contract(party.contract_id)
        party = ContractParty.objects.select_for_update().get(pk=party.pk)
        party.contract = contract
        _open_for(party)
        used = _used_code_ref(party.mobile)
        party.signed_at, party.sign_ip, party.sms_ref = timezone.now(), client_ip(request), used
        party.save(update_fields=["signed_at", "sign_ip", "sms_ref"])
        actor = _party_actor(party)
        audit_event(str(actor), "contract.party_signed", contract,
                    {"party": party.pk, "role": party.role, "sms_ref": used}, request)  # fmt: skip
        if not contract.parties.filter(signed_at__isnull=True).exists():
            _seal(contract, actor, request, keys)
    return party


def _used_code_ref(mobile: str) -> str:
    from loancrm.messaging.models import SmsCode

    row = (
        SmsCode.objects.filter(mobile_bidx=mobile_digest(mobile), purpose=SIGN_PURPOSE, used_at__isnull=False)
        .order_by("-used_at", "-id")
        .first()
    )
    return f"sms-code:{row.pk}" if row is not None else ""


def _seal(contract: Contract, actor: Any, request: HttpRequest | None, keys: sealing.SealKeys | None) -> ContractFile:
    pdf = rendering.render_contract_pdf(contract, sealed=True)
    place = rendering.lender().get("location", "")
    signed = sealing.seal_pdf(pdf, reason=f"Loan contract {contract.contract_no}", location=place, keys=keys)
    file = _store_file(contract, FileKind.SIGNED, signed)
    _ensure(contract, ContractStatus.SIGNED)
    contract.status, contract.signed_at = ContractStatus.SIGNED, timezone.now()
    contract.save(update_fields=["status", "signed_at", "updated_at"])
    audit_event(str(actor), "contract.sealed", contract, {"sha256": file.sha256, "size": file.size}, request)
    lifecycle.contract_signed(contract.application, actor, request)
    return file


# --- verification ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    hash_ok: bool
    computed_sha256: str
    signature: sealing.SignatureCheck | None
    error: str = ""

    @property
    def valid(self) -> bool:
        return self.hash_ok and (self.signature is None or self.signature.valid)


def verify_bytes(data: bytes, *, expected_sha256: str, kind: str) -> Verification:
    digest = hashlib.sha256(data).hexdigest()
    check = sealing.verify_pdf(data) if kind == FileKind.SIGNED else None
    return Verification(hash_ok=digest == expected_sha256, computed_sha256=digest, signature=check)


def contract_verify(contract_file: ContractFile, *, data: bytes | None = None) -> Verification:
    """Recompute the file's SHA-256 against the stored one and (for a signed file) validate the PAdES seal.
    ``data`` checks other bytes (a copy) against the stored record instead of the stored file."""
    if data is None:
        try:
            with contract_file.file.open("rb") as handle:
                data = handle.read()
        except OSError as exc:
            return Verification(hash_ok=False, computed_sha256="", signature=None, error=str(exc)[:200])
    try:
        return verify_bytes(data, expected_sha256=contract_file.sha256, kind=contract_file.kind)
    except (sealing.SealCertificateMissing, sealing.SealCertificateInvalid) as exc:
        digest = hashlib.sha256(data).hexdigest()
        return Verification(hash_ok=digest == contract_file.sha256, computed_sha256=digest,
                            signature=sealing.SignatureCheck(valid=False, error=str(exc)), error=str(exc))  # fmt: skip


def contract_file_open(
    *, contract_file: ContractFile, actor: Any, request: HttpRequest | None = None
) -> tuple[Verification, bytes | None]:
    """Verify a file before it is served: the bytes when valid, ``None`` when refused; both audited."""
    try:
        with contract_file.file.open("rb") as handle:
            data: bytes | None = handle.read()
    except OSError:
        data = None
    verification = contract_verify(contract_file, data=data) if data is not None else contract_verify(contract_file)
    action = "contract.downloaded" if verification.valid else "contract.download_refused"
    audit_event(actor, action, contract_file.contract, {
        "file": contract_file.pk, "kind": contract_file.kind, "stored_sha256": contract_file.sha256,
        "computed_sha256": verification.computed_sha256,
        "signature": None if verification.signature is None else verification.signature.valid,
    }, request)  # fmt: skip
    return verification, (data if verification.valid else None)


def contract_signed_check(application: Application) -> lifecycle.CheckResult:
    """Pre-disbursement check ``contract_signed``: the contract is signed and its sealed file verifies."""
    label = str(_("Contract signed by every party and sealed"))
    contract = Contract.objects.filter(application=application).first()
    if contract is None or contract.status != ContractStatus.SIGNED:
        return lifecycle.CheckResult("contract_signed", label, False, str(_("The contract is not signed yet.")))
    file = contract.latest_file(FileKind.SIGNED)
    if file is None:
        return lifecycle.CheckResult("contract_signed", label, False, str(_("No sealed contract file.")))
    verification = contract_verify(file)
    if not verification.valid:
        return lifecycle.CheckResult("contract_signed", label, False,
                                     str(_("The sealed contract file fails verification.")))  # fmt: skip
    return lifecycle.CheckResult("contract_signed", label, True, f"{contract.contract_no} sha256 {file.sha256[:16]}…")
