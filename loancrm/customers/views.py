"""Customer pages: the scoped list, the 360 page, section edits, the status change, corporate creation, lead
conversion and the audited credit-report download. Thin: parse, call one selector or service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from loancrm.accounts.models import User
from loancrm.core.errors import DomainError
from loancrm.core.forms import add_domain_error, flash_refusal
from loancrm.core.listing import paginate
from loancrm.core.permissions import perm_required
from loancrm.customers import selectors, services
from loancrm.customers.choices import Kind
from loancrm.customers.editing import SECTIONS, prefilled_initial, row_data, sections_for
from loancrm.customers.forms import CorporateForm, rows_formset
from loancrm.sales.models import Tag


@perm_required("customers.view_customer")
@require_GET
def customer_list(request: HttpRequest) -> HttpResponse:
    filters = {key: request.GET.get(key, "").strip() for key in ("q", "kind", "owner", "tag")}
    visible = selectors.customers_visible_to(request.user)
    qs = selectors.filter_customers(visible, **filters).prefetch_related("mobiles")
    sorts = {"created": "created_at", "number": "number", "name": "name", "updated": "updated_at"}
    listing = paginate(request, qs, sorts=sorts, default_sort="-created")
    owners = User.objects.filter(pk__in=visible.values("owner")).order_by("username")
    context = {"listing": listing, "page_obj": listing.page_obj, "filters": filters, "kinds": Kind.choices,
               "owners": owners, "tags": Tag.objects.filter(active=True)}  # fmt: skip
    return render(request, "customers/list.html", context)


@perm_required("customers.view_customer")
@require_GET
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    customer = selectors.access_customer(request.user, pk)
    context = {**selectors.customer_360(customer), "sections": sections_for(customer)}
    context["timeline"] = selectors.customer_timeline(request.user, customer, context["leads"])
    context["status_targets"] = selectors.status_targets(request.user, customer)
    context["last_status_change"] = selectors.status_changes(customer).first()
    context["customer_loans"] = _customer_loans(request.user, customer.pk)
    return render(request, "customers/detail.html", context)


def _customer_loans(user: Any, customer_id: int) -> list[Any] | None:
    """The 360 page's loans card: the customer's loans the user may see; None (no card) without the permission."""
    if not user.has_perm("loans.view_loan"):
        return None
    from loancrm.core.business_date import current_business_date
    from loancrm.loans.loan_selectors import customer_loans

    return customer_loans(user, customer_id, current_business_date())


@perm_required("customers.change_customer")
@require_POST
def status_change(request: HttpRequest, pk: int) -> HttpResponse:
    """Change the status from the 360 page's status card; the outcome is a flash message."""
    customer = selectors.access_customer(request.user, pk)
    try:
        customer = services.customer_set_status(
            actor=request.user, customer_id=customer.pk, status=request.POST.get("status", ""),
            reason=request.POST.get("reason", ""), request=request,
        )  # fmt: skip
    except DomainError as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, _("Status changed to %(status)s.") % {"status": customer.get_status_display()})
    return redirect(f"{reverse('customers:detail', args=[customer.pk])}#status")


def _section_forms(section: Any, customer: Any, data: Any = None, files: Any = None) -> tuple[Any, dict[str, Any]]:
    form = section.form(data, files, initial=section.initial(customer)) if section.form else None
    rowsets = {
        name: (title, rows_formset(row_form)(data, prefix=name, initial=initial(customer)))
        for name, (title, row_form, initial) in section.rowsets.items()
    }
    return form, rowsets


@perm_required("customers.change_customer")
@require_http_methods(["GET", "POST"])
def section_edit(request: HttpRequest, pk: int, section: str) -> HttpResponse:
    customer = selectors.access_customer(request.user, pk)
    spec = SECTIONS.get(section)
    if spec is None or customer.kind not in spec.kinds:
        raise Http404
    if request.method == "POST":
        form, rowsets = _section_forms(spec, customer, request.POST, request.FILES)
        if (form is None or form.is_valid()) and all(fs.is_valid() for _t, fs in rowsets.values()):
            data = form.service_data() if form is not None else {}
            rows = {name: row_data(fs) for name, (_t, fs) in rowsets.items()}
            common = {"actor": request.user, "customer_id": customer.pk, "request": request}
            try:
                spec.save(data=data, rows=rows, common=common)
            except DomainError as exc:
                if exc.status == 404:
                    raise Http404 from exc
                if form is None:
                    messages.error(request, exc.summary())
                else:
                    add_domain_error(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect(f"{reverse('customers:detail', args=[customer.pk])}#{section}")
        prefilled: list[str] = []
    else:
        form, rowsets = _section_forms(spec, customer)
        initial, prefilled = prefilled_initial(spec, customer)
        if spec.form is not None and prefilled:
            form = spec.form(initial=dict(initial))
            form.initial.update({name: initial[name] for name in prefilled})  # shown although personal data
    labels = [str(form.fields[name].label) for name in prefilled] if form is not None else []
    context = {"customer": customer, "section": spec, "form": form, "rowsets": rowsets, "prefilled": labels}
    return render(request, "customers/section_form.html", context)


@perm_required("customers.add_customer")
@require_http_methods(["GET", "POST"])
def corporate_new(request: HttpRequest) -> HttpResponse:
    form = CorporateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        data["legal_rep_id_number"] = data["legal_rep_id_number"] or ""
        try:
            customer = services.corporate_customer_create(actor=request.user, request=request, **data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Customer %(number)s created.") % {"number": customer.number})
            return redirect("customers:detail", pk=customer.pk)
    return render(request, "customers/corporate_new.html", {"form": form})


@perm_required("customers.add_customer")
@require_POST
def convert_lead(request: HttpRequest, lead_id: int) -> HttpResponse:
    try:
        result = services.lead_convert(
            actor=request.user, lead_id=lead_id, id_number=request.POST.get("id_number", ""), request=request
        )
    except DomainError as exc:
        flash_refusal(request, exc)
        return redirect("leads:detail", pk=lead_id)
    if result.created:
        messages.success(request, _("Customer %(number)s created.") % {"number": result.customer.number})
    else:
        messages.info(request, _("The lead is linked to customer %(number)s.") % {"number": result.customer.number})
    if not selectors.customers_visible_to(request.user).filter(pk=result.customer.pk).exists():
        return redirect("leads:detail", pk=lead_id)  # linked to a customer of another team: stay on the lead
    return redirect("customers:detail", pk=result.customer.pk)


@perm_required("customers.view_customer")
@require_GET
def credit_report(request: HttpRequest, pk: int) -> FileResponse:
    try:
        handle, filename, content_type = services.credit_report_open(
            actor=request.user, customer_id=pk, request=request
        )
    except DomainError as exc:
        if exc.status == 404:
            raise Http404 from exc
        raise PermissionDenied from exc
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    response["Cache-Control"] = "no-store"
    return response
