"""Back-office contract pages: the scoped list, a contract (parties, files, verification, actions), downloads that
verify before serving, and the template versions (edit a draft with a PDF preview, publish)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from loancrm.applications.selectors import access_application
from loancrm.contracts import rendering, selectors, services
from loancrm.contracts.choices import ContractStatus, FileKind, TemplateStatus
from loancrm.contracts.forms import GuarantorForm, TemplateForm
from loancrm.contracts.models import ContractFile, ContractTemplate
from loancrm.core.errors import DomainError, NotFound
from loancrm.core.forms import add_domain_error, flash_refusal
from loancrm.core.listing import date_param, paginate
from loancrm.core.permissions import perm_required
from loancrm.products.models import Product

VIEW = "contracts.view_contract"
GENERATE = "contracts.generate_contract"
GUARANTOR = "contracts.add_guarantor"
TEMPLATES = "contracts.manage_contract_templates"


def _contract(request: HttpRequest, pk: int) -> Any:
    try:
        return selectors.access_contract(request.user, pk)
    except NotFound:
        raise Http404 from None


@perm_required(VIEW)
@require_GET
def contract_list(request: HttpRequest) -> HttpResponse:
    filters = {key: request.GET.get(key, "").strip() for key in ("status", "product", "date_from", "date_to", "q")}
    rows = selectors.contracts_visible_to(request.user)
    if filters["status"] in ContractStatus.values:
        rows = rows.filter(status=filters["status"])
    if filters["product"]:
        rows = rows.filter(application__product_version__product__code=filters["product"])
    if start := date_param(filters["date_from"]):
        rows = rows.filter(created_at__date__gte=start)
    if end := date_param(filters["date_to"]):
        rows = rows.filter(created_at__date__lte=end)
    if filters["q"]:
        rows = rows.filter(contract_no__icontains=filters["q"])
    sorts = {"created": "created_at", "amount": "amount", "signed": "signed_at", "number": "contract_no"}
    listing = paginate(request, rows, sorts=sorts, default_sort="-created")
    context = {
        "listing": listing, "page_obj": listing.page_obj, "rows": listing.rows, "filters": filters,
        "statuses": ContractStatus.choices, "products": Product.objects.order_by("code"),
    }  # fmt: skip
    return render(request, "contracts/list.html", context)


@perm_required(VIEW)
@require_GET
def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract(request, pk)
    files = list(contract.files.order_by("-created_at", "-id"))
    signed = next((f for f in files if f.kind == FileKind.SIGNED), None)
    context = {
        "contract": contract, "application": contract.application,
        "parties": list(contract.parties.order_by("position", "id")), "files": files,
        "verification": services.contract_verify(signed) if signed else None, "signed_file": signed,
        "context": rendering.contract_context(contract),
        "can_generate": request.user.has_perm(GENERATE) and contract.is_unsigned
        and not contract.parties.filter(signed_at__isnull=False).exists(),
        "can_cancel": request.user.has_perm(GENERATE) and contract.is_unsigned,
        "can_add_guarantor": request.user.has_perm(GUARANTOR) and contract.is_unsigned
        and not contract.parties.filter(signed_at__isnull=False).exists(),
        "guarantor_form": GuarantorForm(),
    }  # fmt: skip
    context["party_links"] = [(p, reverse("contracts_h5:sign", args=[p.token])) for p in context["parties"]]
    return render(request, "contracts/detail.html", context)


@perm_required(VIEW, GENERATE)
@require_POST
def contract_generate_view(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract(request, pk)
    try:
        services.contract_generate(application_id=contract.application_id, actor=request.user, request=request)
    except DomainError as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, _("The contract has been generated and sent for signature."))
    return redirect("contracts:detail", pk=contract.pk)


@perm_required(VIEW, GENERATE)
@require_POST
def application_generate_view(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        application = access_application(request.user, pk)
        contract = services.contract_generate(application_id=application.pk, actor=request.user, request=request)
    except DomainError as exc:
        flash_refusal(request, exc)
        return redirect("applications:detail", pk=pk)
    messages.success(request, _("The contract has been generated and sent for signature."))
    return redirect("contracts:detail", pk=contract.pk)


@perm_required(VIEW, GENERATE)
@require_POST
def contract_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract(request, pk)
    try:
        services.contract_cancel(contract_id=contract.pk, reason=request.POST.get("reason", ""), actor=request.user,
                                 request=request)  # fmt: skip
    except DomainError as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, _("The contract has been cancelled."))
    return redirect("contracts:detail", pk=contract.pk)


@perm_required(VIEW, GUARANTOR)
@require_POST
def guarantor_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract(request, pk)
    form = GuarantorForm(request.POST)
    if form.is_valid():
        try:
            services.contract_guarantor_add(contract_id=contract.pk, actor=request.user, request=request,
                                            **form.cleaned_data)  # fmt: skip
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The guarantor has been added; they sign with their own SMS code."))
            return redirect("contracts:detail", pk=contract.pk)
    messages.error(request, " ".join(str(m) for errors in form.errors.values() for m in errors))
    return redirect("contracts:detail", pk=contract.pk)


@perm_required(VIEW)
@require_GET
def file_download(request: HttpRequest, pk: int) -> HttpResponse:
    record = ContractFile.objects.select_related("contract").filter(pk=pk).first()
    if record is None:
        raise Http404
    _contract(request, record.contract_id)
    verification, data = services.contract_file_open(contract_file=record, actor=request.user, request=request)
    if data is None:
        messages.error(request, _("Download refused: the file fails verification (its SHA-256 or the lender's seal "
                                  "does not match). The event has been recorded."))  # fmt: skip
        return redirect("contracts:detail", pk=record.contract_id)
    response = HttpResponse(data, content_type="application/pdf")
    suffix = "-signed" if record.kind == FileKind.SIGNED else ""
    disposition = "inline" if request.GET.get("inline") else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{record.contract.contract_no}{suffix}.pdf"'
    response["X-Content-SHA256"] = verification.computed_sha256
    return response


# --- templates ---------------------------------------------------------------------------------------------------


@perm_required(TEMPLATES)
@require_GET
def template_list(request: HttpRequest) -> HttpResponse:
    products = list(Product.objects.order_by("code"))
    versions = ContractTemplate.objects.select_related("product", "created_by").order_by("product__code", "-version")
    by_product: dict[int, list[ContractTemplate]] = {}
    for version in versions:
        by_product.setdefault(version.product_id, []).append(version)
    rows = [{"product": p, "versions": by_product.get(p.pk, [])} for p in products]
    return render(request, "contracts/template_list.html", {"rows": rows})


@perm_required(TEMPLATES)
@require_POST
def template_new(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        draft = services.contract_template_draft(product_id=pk, actor=request.user, request=request)
    except DomainError as exc:
        flash_refusal(request, exc)
        return redirect("contracts:templates")
    return redirect("contracts:template_edit", pk=draft.pk)


def _template(pk: int) -> ContractTemplate:
    found = ContractTemplate.objects.select_related("product").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


@perm_required(TEMPLATES)
@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, pk: int) -> HttpResponse:
    template = _template(pk)
    initial = {"title": template.title, "body": template.body, "note": template.note}
    form = TemplateForm(request.POST or None, initial=initial)
    editable = template.status == TemplateStatus.DRAFT
    if request.method == "POST" and form.is_valid():
        try:
            services.contract_template_save(template_id=template.pk, actor=request.user, request=request,
                                            **form.cleaned_data)  # fmt: skip
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Template saved."))
            return redirect("contracts:template_edit", pk=template.pk)
    context = {"template": template, "form": form, "editable": editable}
    return render(request, "contracts/template_edit.html", context, status=400 if form.errors else 200)


@perm_required(TEMPLATES)
@require_GET
def template_preview(request: HttpRequest, pk: int) -> HttpResponse:
    template = _template(pk)
    version = template.product.versions.order_by("-version").first()
    context = rendering.sample_context(title=template.title, product_name=template.product.name,
                                       fees=list(getattr(version, "fees", []) or []))  # fmt: skip
    try:
        pdf = rendering.render_pdf(template.body, context)
    except DomainError as exc:
        flash_refusal(request, exc)
        return redirect("contracts:template_edit", pk=template.pk)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="template-{template.product.code}-v{template.version}.pdf"'
    return response


@perm_required(TEMPLATES)
@require_POST
def template_publish_view(request: HttpRequest, pk: int) -> HttpResponse:
    template = _template(pk)
    try:
        services.contract_template_publish(template_id=template.pk, actor=request.user, request=request)
    except DomainError as exc:
        flash_refusal(request, exc)
    else:
        messages.success(
            request, _("Template version %(v)s published: new contracts use it.") % {"v": template.version}
        )
    return redirect("contracts:template_edit", pk=template.pk)
