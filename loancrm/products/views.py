"""Product catalogue pages: the list, a new product, a product with its versions, a draft's terms form, and
publishing with a confirmation that shows what changes. Every write is one ``products.services`` call."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from loancrm.core.errors import DomainError
from loancrm.core.forms import add_domain_error, flash_refusal
from loancrm.core.listing import paginate
from loancrm.core.permissions import perm_required
from loancrm.loans.choices import RepaymentMethod
from loancrm.products import selectors, services
from loancrm.products.display import term_rows, terms_diff
from loancrm.products.forms import (
    STATUS_FILTERS,
    FeeForm,
    FeeFormSet,
    ProductFilterForm,
    ProductForm,
    VersionForm,
    show_problems,
)
from loancrm.products.models import Product, ProductKind, ProductVersion, VersionStatus

VIEW = "products.view_product"
CHANGE = "products.change_product"


@perm_required(VIEW)
@require_GET
def product_list(request: HttpRequest) -> HttpResponse:
    form = ProductFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.filter_products(**{k: filters.get(k) or "" for k in ("q", "kind", "status")})
    listing = paginate(
        request,
        qs,
        sorts={"code": "code", "name": "name", "kind": "kind", "created": "created_at", "version": "published_version"},
        default_sort="code",
    )
    current = selectors.published_versions(listing.rows)
    rows = [{"product": product, "version": current.get(product.pk)} for product in listing.rows]
    context = {
        "listing": listing,
        "page_obj": listing.page_obj,
        "rows": rows,
        "filters": filters,
        "kinds": ProductKind.choices,
        "statuses": STATUS_FILTERS,
        "methods": dict(RepaymentMethod.choices),
    }
    return render(request, "products/list.html", context)


@perm_required(CHANGE)
@require_http_methods(["GET", "POST"])
def product_create(request: HttpRequest) -> HttpResponse:
    form = ProductForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            product = services.product_create(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Product %(product)s created.") % {"product": product})
            return redirect("products:detail", pk=product.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "products/create.html", {"form": form}, status=status)


@perm_required(VIEW)
@require_GET
def product_detail(request: HttpRequest, pk: int) -> HttpResponse:
    product = get_object_or_404(Product, pk=pk)
    versions = list(product.versions.select_related("created_by", "published_by").order_by("-version"))
    current = next((v for v in versions if v.status == VersionStatus.PUBLISHED), None)
    context = {
        "product": product,
        "versions": versions,
        "current": current,
        "current_rows": term_rows(current) if current else [],
        "drafts": [v for v in versions if v.status == VersionStatus.DRAFT],
    }
    return render(request, "products/detail.html", context)


@perm_required(CHANGE)
@require_POST
def version_new(request: HttpRequest, pk: int) -> HttpResponse:
    """A new draft: a copy of the version named by ``from`` (default the published one), or empty terms."""
    product = get_object_or_404(Product, pk=pk)
    source = None
    raw = request.POST.get("from", "")
    if raw.isdigit():
        source = get_object_or_404(ProductVersion, pk=int(raw), product=product)
    else:
        source = selectors.published_version_of(product)
    try:
        draft = services.product_version_draft(product=product, from_version=source, actor=request.user)
    except DomainError as exc:
        flash_refusal(request, exc)
        return redirect("products:detail", pk=product.pk)
    messages.success(request, _("Draft version %(version)s created.") % {"version": draft.version})
    return redirect("products:version", pk=draft.pk)


def _version(pk: int) -> ProductVersion:
    return get_object_or_404(
        ProductVersion.objects.select_related("product", "rule_set", "scorecard", "created_by", "published_by"), pk=pk
    )


def _fee_formset(version: ProductVersion, data: Any = None) -> Any:
    return FeeFormSet(data, prefix="fees", initial=[FeeForm.initial_for(fee) for fee in version.fees])


def _labels() -> dict[str, str]:
    return {
        "fees": _("Fees"),
        "documents": _("Document checklist"),
        "rule_set": _("Rule set"),
        "scorecard": _("Scorecard"),
    }


def _problem_rows(version: ProductVersion) -> list[tuple[str, str]]:
    """What stops publishing, as (term label, message) rows."""
    labels = {**{name: str(field.label) for name, field in VersionForm().fields.items()}, **_labels()}
    problems = services.product_version_problems(version)
    return [(labels.get(name, name), str(text)) for name, texts in problems.items() for text in texts]


def _edit_page(
    request: HttpRequest,
    version: ProductVersion,
    form: VersionForm,
    fees: Any,
    status: int = 200,
) -> HttpResponse:
    context = {
        "version": version,
        "product": version.product,
        "form": form,
        "fees": fees,
        "problems": _problem_rows(version),
        "published": selectors.published_version_of(version.product),
    }
    return render(request, "products/version_form.html", context, status=status)


@perm_required(VIEW)
@require_http_methods(["GET", "POST"])
def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A draft's terms form for users who may change the catalogue; the read-only terms otherwise."""
    version = _version(pk)
    editable = version.status == VersionStatus.DRAFT and request.user.has_perm(CHANGE)
    if request.method == "POST" and not editable:
        messages.error(request, _("A published or retired version cannot be changed."))
        return redirect("products:version", pk=version.pk)
    if not editable:
        context = {"version": version, "product": version.product, "rows": term_rows(version)}
        return render(request, "products/version_view.html", context)
    if request.method == "GET":
        return _edit_page(
            request, version, VersionForm(initial=VersionForm.initial_for(version)), _fee_formset(version)
        )
    form, fees = VersionForm(request.POST), _fee_formset(version, request.POST)
    if form.is_valid() and fees.is_valid():
        rows = [fee for fee_form in fees.forms if (fee := fee_form.fee()) is not None]
        try:
            services.product_version_save(draft=version, actor=request.user, **form.terms(rows))
        except DomainError as exc:
            if exc.status == 409:
                flash_refusal(request, exc)
                return redirect("products:version", pk=version.pk)
            if exc.fields:
                show_problems(form, exc.fields, _labels())
            else:
                add_domain_error(form, exc)
        else:
            messages.success(request, _("Draft saved."))
            return redirect("products:version", pk=version.pk)
    return _edit_page(request, version, form, fees, status=422)


@perm_required(CHANGE)
@require_http_methods(["GET", "POST"])
def version_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: what publishing changes against the version on sale; POST: publish (problems go back to the form)."""
    version = _version(pk)
    if version.status != VersionStatus.DRAFT:
        messages.error(request, _("Only a draft can be published."))
        return redirect("products:version", pk=version.pk)
    published = selectors.published_version_of(version.product)
    if request.method == "POST":
        try:
            services.product_version_publish(draft=version, actor=request.user)
        except DomainError as exc:
            if not exc.fields:
                flash_refusal(request, exc)
                return redirect("products:version", pk=version.pk)
            messages.error(request, str(exc.message))
            form = VersionForm(initial=VersionForm.initial_for(version))
            show_problems(form, exc.fields, _labels())
            return _edit_page(request, version, form, _fee_formset(version), status=422)
        messages.success(
            request,
            _("Version %(version)s of %(product)s published.")
            % {"version": version.version, "product": version.product.name},
        )
        return redirect("products:detail", pk=version.product_id)
    diff = terms_diff(version, published)
    context = {
        "version": version,
        "product": version.product,
        "published": published,
        "diff": diff,
        "changed": sum(1 for row in diff if row["changed"]),
        "problems": _problem_rows(version),
    }
    return render(request, "products/publish_confirm.html", context)
