"""Back-office application pages: the scoped list, a new application for a customer, draft edits, the detail page
with status history, submit (showing what is missing) and withdraw. Thin: parse, call one selector or service."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from loancrm.accounts.models import User
from loancrm.applications import selectors, services, stage_links
from loancrm.applications.choices import Channel, Status
from loancrm.applications.forms import ApplicationForm
from loancrm.applications.h5 import problem_list
from loancrm.applications.models import Application
from loancrm.applications.outcome import plain_result
from loancrm.applications.regions import region_label
from loancrm.core.errors import DomainError, NotFound
from loancrm.core.forms import add_domain_error, flash_refusal
from loancrm.core.listing import date_param, paginate
from loancrm.core.permissions import perm_required
from loancrm.customers.selectors import access_customer
from loancrm.loans.choices import RepaymentMethod
from loancrm.products.models import Product, ProductVersion, VersionStatus

FILTERS = ("q", "status", "product", "channel", "owner", "created_from", "created_to")
FORM_FIELDS = ("amount", "term_months", "method", "annual_rate", "purpose", "monthly_income", "monthly_debt",
               "employment_years", "housing", "education", "region")  # fmt: skip


@perm_required("applications.view_application")
@require_GET
def application_list(request: HttpRequest) -> HttpResponse:
    filters = {key: request.GET.get(key, "").strip() for key in FILTERS}
    visible = selectors.applications_visible_to(request.user)
    qs = selectors.filter_applications(
        visible, **{k: v for k, v in filters.items() if not k.startswith("created_")},
        created_from=date_param(filters["created_from"]), created_to=date_param(filters["created_to"]),
    )  # fmt: skip
    sorts = {"number": "number", "created": "created_at", "amount": "amount", "status": "status",
             "submitted": "submitted_at", "customer": "customer__name"}  # fmt: skip
    listing = paginate(request, qs, sorts=sorts, default_sort="-created")
    context = {
        "listing": listing,
        "page_obj": listing.page_obj,
        "filters": filters,
        "statuses": Status.choices,
        "channels": Channel.choices,
        "products": Product.objects.filter(pk__in=visible.values("product_version__product")),
        "owners": User.objects.filter(pk__in=visible.values("owner")).order_by("username"),
    }
    return render(request, "applications/list.html", context)


def _offered() -> Any:
    return ProductVersion.objects.select_related("product").filter(status=VersionStatus.PUBLISHED, product__active=True)


def _values(form: ApplicationForm) -> dict[str, Any]:
    return {name: form.cleaned_data.get(name) for name in FORM_FIELDS}


@perm_required("applications.add_application")
@require_http_methods(["GET", "POST"])
def application_new(request: HttpRequest) -> HttpResponse:
    """A new draft for the customer in ``?customer=`` under the product version in ``?version=``."""
    raw = request.POST.get("customer") or request.GET.get("customer", "")
    if not raw.isdigit():
        messages.info(request, _("Open the customer and start the application from there."))
        return redirect("customers:list")
    customer = access_customer(request.user, int(raw))
    versions = list(_offered().order_by("product__name"))
    chosen = request.POST.get("version") or request.GET.get("version", "")
    version = next((v for v in versions if str(v.pk) == chosen), None)
    form = None
    id_region = (customer.id_number or "")[:6]
    if version is not None:
        initial = {
            "term_months": version.min_term_months,
            "method": (version.methods or [""])[0],
            "region": id_region,
            "monthly_income": "" if customer.monthly_income is None else f"{customer.monthly_income:.2f}",
        }
        form = ApplicationForm(request.POST or None, version=version, initial=initial, id_region=id_region)
        if request.method == "POST" and form.is_valid():
            try:
                application = services.application_create(
                    actor=request.user, customer_id=customer.pk, product_version_id=version.pk,
                    channel=Channel.BRANCH, values=_values(form), request=request,
                )  # fmt: skip
            except DomainError as exc:
                if exc.status == 404:
                    raise Http404 from exc
                add_domain_error(form, exc)
            else:
                messages.success(
                    request, _("Application %(number)s saved as a draft.") % {"number": application.number}
                )
                return redirect("applications:detail", application.pk)
    context = {"customer": customer, "versions": versions, "version": version, "form": form}
    return render(request, "applications/form.html", context, status=400 if request.method == "POST" else 200)


def _visible(request: HttpRequest, pk: int) -> Application:
    try:
        return selectors.access_application(request.user, pk)
    except NotFound as exc:
        raise Http404 from exc


@perm_required("applications.change_application")
@require_http_methods(["GET", "POST"])
def application_edit(request: HttpRequest, pk: int) -> HttpResponse:
    application = _visible(request, pk)
    if not application.is_draft:
        messages.error(request, _("Only a draft application can be changed."))
        return redirect("applications:detail", application.pk)
    version = application.product_version
    initial = {name: getattr(application, name) for name in FORM_FIELDS}
    initial = {k: ("" if v is None else v) for k, v in initial.items()}
    form = ApplicationForm(
        request.POST or None,
        version=version,
        initial=initial,
        id_region=(application.customer.id_number or "")[:6],
        current_region=application.region,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.application_update(actor=request.user, application_id=application.pk, values=_values(form),
                                        request=request)  # fmt: skip
        except DomainError as exc:
            if exc.status == 404:
                raise Http404 from exc
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Draft saved."))
            return redirect("applications:detail", application.pk)
    context = {"customer": application.customer, "application": application, "version": version, "form": form}
    return render(request, "applications/form.html", context, status=400 if request.method == "POST" else 200)


def _link(name: str, pk: int) -> str | None:
    """A page of another module about this application, when that module is installed."""
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return None


@perm_required("applications.view_application")
@require_GET
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = _visible(request, pk)
    problems = problem_list(application, services.submission_problems(application)) if application.is_draft else []
    methods = dict(RepaymentMethod.choices)
    context = {
        "application": application, "customer": application.customer, "history": selectors.status_history(application),
        "problems": problems, "result": plain_result(application), "region": region_label(application.region),
        "method_label": methods.get(application.method, application.method),
        "documents_url": _link("documents:application_documents", application.pk),
        "decision_url": _link("decisioning:application_decision", application.pk),
        "stage_links": stage_links.links_for(application, request.user),
        "approved_method_label": methods.get(application.approved_method, application.approved_method),
        "can_withdraw": Status.WITHDRAWN in services.STATUS_TRANSITIONS.get(application.status, set()),
    }  # fmt: skip
    return render(request, "applications/detail.html", context)


@perm_required("applications.submit_application")
@require_POST
def application_submit(request: HttpRequest, pk: int) -> HttpResponse:
    application = _visible(request, pk)
    try:
        services.application_submit(actor=request.user, application_id=application.pk, request=request)
    except DomainError as exc:
        if exc.fields and exc.status == 400:
            messages.error(request, _("The application cannot be submitted yet: see what is missing below."))
        else:
            flash_refusal(request, exc)
    else:
        messages.success(request, _("Application submitted."))
    return redirect("applications:detail", application.pk)


@perm_required("applications.change_application")
@require_POST
def application_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    application = _visible(request, pk)
    try:
        services.application_withdraw(actor=request.user, application_id=application.pk,
                                      reason=request.POST.get("reason", ""), request=request)  # fmt: skip
    except DomainError as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, _("Application withdrawn."))
    return redirect("applications:detail", application.pk)
