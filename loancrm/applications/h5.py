"""The customer's self-service application pages (H5, mobile first): SMS sign-in, identity, consent, product,
terms, declarations, documents, review and submit, my applications.

Invariants: every page after sign-in acts as the signed-in ``CustomerPrincipal`` through the same services as
the back office, so a customer reaches only their own applications ("not yours" is a 404); each step saves the
draft, so the customer can stop and come back; the credit-bureau consent is recorded with the exact text version
shown, before a product can be chosen; an unknown mobile, once verified by SMS, may register one identity (name and
ID number, check digit validated; an ID number already on file is never taken over).
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from loancrm.applications import h5_session, selectors, services
from loancrm.applications.choices import Channel
from loancrm.applications.forms import CodeForm, ConsentForm, DeclarationsForm, IdentityForm, MobileForm, TermsForm
from loancrm.applications.models import Application
from loancrm.applications.outcome import plain_result
from loancrm.applications.principal import CustomerPrincipal
from loancrm.applications.regions import region_label
from loancrm.compliance.models import Purpose as ConsentPurpose
from loancrm.compliance.services import consent_give, consent_in_force, current_text
from loancrm.core.crypto import decrypt, encrypt
from loancrm.core.errors import DomainError, NotFound
from loancrm.core.fields import blind_lookup
from loancrm.core.forms import add_domain_error
from loancrm.customers.models import Customer, CustomerMobile
from loancrm.customers.services.applicant import applicant_find_or_create
from loancrm.loans.choices import RepaymentMethod
from loancrm.messaging.choices import CodePurpose
from loancrm.messaging.services import sms_code_send, sms_code_verify
from loancrm.products.models import ProductVersion, VersionStatus

VERIFIED_KEY = "h5_verified_mobile"
NEXT_KEY = "h5_next"
VERIFIED_FOR = 15 * 60
IDENTITY_TRIES = 5
STEPS = ("product", "terms", "declarations", "documents", "review")


def _page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    context["h5_signed_in"] = request.session.get(h5_session.H5_SESSION_KEY) is not None
    return render(request, template, context, status=status)


def _safe_next(request: HttpRequest, raw: str | None) -> str:
    if raw and url_has_allowed_host_and_scheme(
        raw, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return raw
    return reverse("applications_h5:home")


def _simulated() -> bool:
    return getattr(settings, "SMS_PROVIDER", "").endswith("SimulatorProvider")


def _primary_customer(mobile: str) -> Customer | None:
    row = CustomerMobile.objects.filter(blind_lookup(CustomerMobile, "mobile", mobile), is_primary=True).first()
    return Customer.objects.filter(pk=row.customer_id).first() if row is not None else None


def _remember_verified(request: HttpRequest, mobile: str) -> None:
    request.session[VERIFIED_KEY] = {"m": encrypt(mobile, VERIFIED_KEY), "at": int(time.time()), "tries": 0}


def _verified_mobile(request: HttpRequest) -> str | None:
    data = request.session.get(VERIFIED_KEY)
    if not isinstance(data, dict) or int(time.time()) - int(data.get("at", 0)) > VERIFIED_FOR:
        return None
    try:
        return decrypt(str(data["m"]), VERIFIED_KEY)
    except Exception:
        return None


@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    """Mobile + SMS code. A known primary mobile signs in; an unknown one continues to the identity step."""
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if h5_session.current_principal(request) is not None and request.method == "GET":
        return redirect(next_url)
    action = request.POST.get("action", "")
    form: MobileForm = CodeForm(request.POST) if action == "verify" else MobileForm(request.POST or None)
    context: dict[str, Any] = {"form": form, "next": next_url, "simulated": _simulated(), "code_sent": False}
    status = 200
    if request.method == "POST" and form.is_valid():
        mobile = form.cleaned_data["mobile"]
        try:
            if action == "verify":
                sms_code_verify(mobile=mobile, purpose=CodePurpose.H5_LOGIN, code=form.cleaned_data["code"])
                return _after_verification(request, mobile, next_url)
            sms_code_send(mobile=mobile, purpose=CodePurpose.H5_LOGIN, request=request)
            context["code_sent"] = True
            context["form"] = CodeForm(initial={"mobile": mobile})
        except DomainError as exc:
            add_domain_error(form, exc)
            context["code_sent"] = action == "verify"
            status = 429 if exc.status == 429 else 400
    elif action == "verify":
        context["code_sent"] = True
    return _page(request, "applications/h5/login.html", context, status=status)


def _after_verification(request: HttpRequest, mobile: str, next_url: str) -> HttpResponse:
    customer = _primary_customer(mobile)
    if customer is not None:
        h5_session.sign_in(request, customer)
        return redirect(next_url)
    _remember_verified(request, mobile)
    request.session[NEXT_KEY] = next_url
    return redirect("applications_h5:identity")


@require_http_methods(["GET", "POST"])
def identity(request: HttpRequest) -> HttpResponse:
    """Name and ID number for a verified mobile that no customer has: creates the customer (once per person)."""
    mobile = _verified_mobile(request)
    if mobile is None:
        messages.info(request, _("Please verify your mobile number first."))
        return redirect("applications_h5:login")
    form = IdentityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = request.session[VERIFIED_KEY]
        if int(data.get("tries", 0)) >= IDENTITY_TRIES:
            form.add_error(None, _("Too many attempts. Please sign in again later."))
            return _page(request, "applications/h5/identity.html", {"form": form}, status=429)
        data["tries"] = int(data.get("tries", 0)) + 1
        request.session[VERIFIED_KEY] = data
        try:
            result = applicant_find_or_create(
                name=form.cleaned_data["name"], id_number=form.cleaned_data["id_number"], mobile=mobile, source="h5",
                self_service=True, request=request,
            )  # fmt: skip
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            next_url = _safe_next(request, request.session.pop(NEXT_KEY, None))
            request.session.pop(VERIFIED_KEY, None)
            h5_session.sign_in(request, result.customer)
            return redirect(next_url)
    return _page(request, "applications/h5/identity.html", {"form": form})


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    h5_session.sign_out(request)
    messages.success(request, _("You have signed out."))
    return redirect("applications_h5:login")


def _customer(principal: CustomerPrincipal) -> Customer:
    return Customer.objects.get(pk=principal.customer_id)


@h5_session.h5_login_required
def home(request: HttpRequest, principal: CustomerPrincipal) -> HttpResponse:
    """My applications: each with its status and, in plain words, where it stands."""
    rows = list(selectors.applications_visible_to(principal).order_by("-created_at", "-id")[:50])
    items = [{"application": a, "result": plain_result(a)} for a in rows]
    return _page(request, "applications/h5/home.html", {"items": items, "customer": _customer(principal)})


@h5_session.h5_login_required
@require_http_methods(["GET", "POST"])
def consent(request: HttpRequest, principal: CustomerPrincipal) -> HttpResponse:
    """The credit-bureau authorisation, recorded with the version of the text shown."""
    customer = _customer(principal)
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if consent_in_force(customer, ConsentPurpose.CREDIT_BUREAU) is not None:
        return redirect(next_url)
    text = current_text(ConsentPurpose.CREDIT_BUREAU)
    if text is None:
        raise Http404
    form = ConsentForm(request.POST or None, initial={"consent_version": text.version})
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["consent_version"] != text.version:
            form.add_error(None, _("The authorisation text has changed; please read it again."))
        else:
            try:
                consent_give(subject=customer, purpose=ConsentPurpose.CREDIT_BUREAU, channel="h5",
                             actor=str(principal), text_version=text.version, request=request)  # fmt: skip
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                return redirect(next_url)
    return _page(request, "applications/h5/consent.html", {"form": form, "text": text, "next": next_url})


def _needs_consent(principal: CustomerPrincipal, request: HttpRequest) -> HttpResponse | None:
    if consent_in_force(_customer(principal), ConsentPurpose.CREDIT_BUREAU) is None:
        return redirect(f"{reverse('applications_h5:consent')}?next={request.path}")
    return None


def _offered() -> list[ProductVersion]:
    rows = ProductVersion.objects.select_related("product").filter(status=VersionStatus.PUBLISHED, product__active=True)
    return list(rows.order_by("product__name", "product__code"))


@h5_session.h5_login_required
def product_choice(request: HttpRequest, principal: CustomerPrincipal) -> HttpResponse:
    if (redirected := _needs_consent(principal, request)) is not None:
        return redirected
    context = {"versions": _offered(), "step": "product", "steps": STEPS}
    return _page(request, "applications/h5/products.html", context)


def _own(principal: CustomerPrincipal, pk: int) -> Application:
    try:
        return selectors.access_application(principal, pk)
    except NotFound as exc:
        raise Http404 from exc


def _terms_initial(application: Application | None, version: ProductVersion) -> dict[str, Any]:
    if application is None:
        return {"term_months": 12 if version.min_term_months <= 12 <= version.max_term_months else None,
                "method": (version.methods or [""])[0]}  # fmt: skip
    return {"amount": f"{application.amount:.2f}", "term_months": application.term_months,
            "method": application.method, "purpose": application.purpose}  # fmt: skip


@h5_session.h5_login_required
@require_http_methods(["GET", "POST"])
def terms(request: HttpRequest, principal: CustomerPrincipal, version_id: int | None = None,
          pk: int | None = None) -> HttpResponse:  # fmt: skip
    """Amount, term, method and purpose: creates the draft (from a product) or changes it."""
    application = _own(principal, pk) if pk is not None else None
    if (redirected := _needs_consent(principal, request)) is not None:
        return redirected
    if application is not None and not application.is_draft:
        return redirect("applications_h5:detail", application.pk)
    if application is not None:
        version = application.product_version
    else:
        found = next((v for v in _offered() if v.pk == version_id), None)
        if found is None:
            raise Http404
        version = found
    form = TermsForm(request.POST or None, version=version, initial=_terms_initial(application, version))
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in ("amount", "term_months", "method", "purpose")}
        try:
            if application is None:
                application = services.application_create(
                    actor=principal, customer_id=principal.customer_id, product_version_id=version.pk,
                    channel=Channel.H5, values=values, request=request,
                )  # fmt: skip
            else:
                services.application_update(actor=principal, application_id=application.pk, values=values,
                                            request=request)  # fmt: skip
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Saved as a draft."))
            return redirect("applications_h5:declarations", application.pk)
    context = {"form": form, "version": version, "application": application, "step": "terms", "steps": STEPS}
    return _page(request, "applications/h5/terms.html", context)


@h5_session.h5_login_required
@require_http_methods(["GET", "POST"])
def declarations(request: HttpRequest, principal: CustomerPrincipal, pk: int) -> HttpResponse:
    application = _own(principal, pk)
    if not application.is_draft:
        return redirect("applications_h5:detail", application.pk)
    id_region = (application.customer.id_number or "")[:6]
    initial = {
        "monthly_income": "" if application.monthly_income is None else f"{application.monthly_income:.2f}",
        "monthly_debt": "" if application.monthly_debt is None else f"{application.monthly_debt:.2f}",
        "employment_years": "" if application.employment_years is None else f"{application.employment_years}",
        "housing": application.housing, "education": application.education, "region": application.region or id_region,
    }  # fmt: skip
    form = DeclarationsForm(request.POST or None, initial=initial, id_region=id_region,
                            current_region=application.region)  # fmt: skip
    if request.method == "POST" and form.is_valid():
        names = ("monthly_income", "monthly_debt", "employment_years", "housing", "education", "region")
        try:
            services.application_update(actor=principal, application_id=application.pk,
                                        values={n: form.cleaned_data[n] for n in names}, request=request)  # fmt: skip
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Saved as a draft."))
            return redirect("applications_h5:review", application.pk)
    context = {"form": form, "application": application, "step": "declarations", "steps": STEPS}
    return _page(request, "applications/h5/declarations.html", context)


def _method_label(application: Application) -> Any:
    return dict(RepaymentMethod.choices).get(application.method, application.method)


def documents_url(application: Application) -> str | None:
    """The documents step (``documents_h5:upload``) when that page is installed."""
    try:
        return reverse("documents_h5:upload", args=[application.pk])
    except NoReverseMatch:
        return None


PROBLEM_STEPS = {"amount": "terms", "term_months": "terms", "method": "terms", "annual_rate": "terms",
                 "purpose": "terms", "monthly_income": "declarations", "monthly_debt": "declarations",
                 "employment_years": "declarations", "housing": "declarations", "region": "declarations"}  # fmt: skip


def problem_list(application: Application, problems: dict[str, list[Any]]) -> list[dict[str, Any]]:
    """Submission problems with the field's label and the step that fixes them."""
    rows = []
    for name, texts in problems.items():
        try:
            label = str(getattr(Application._meta.get_field(name), "verbose_name", name))
        except FieldDoesNotExist:
            label = {"customer": _("Identity"), "documents": _("Documents")}.get(name, name)
        rows.append({"field": name, "label": label, "messages": [str(t) for t in texts],
                     "step": PROBLEM_STEPS.get(name, "documents" if name == "documents" else "")})  # fmt: skip
    return rows


@h5_session.h5_login_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, principal: CustomerPrincipal, pk: int) -> HttpResponse:
    """Everything at a glance, what is still missing, and the submit button."""
    application = _own(principal, pk)
    if not application.is_draft:
        return redirect("applications_h5:detail", application.pk)
    if request.method == "POST":
        try:
            services.application_submit(actor=principal, application_id=application.pk, request=request)
        except DomainError as exc:
            if exc.status == 404:
                raise Http404 from exc
            messages.error(request, _("The application cannot be submitted yet: please complete the items below."))
        else:
            messages.success(request, _("Your application has been submitted."))
            return redirect("applications_h5:detail", application.pk)
    problems = problem_list(application, services.submission_problems(application))
    context = {
        "application": application, "problems": problems, "documents_url": documents_url(application),
        "region": region_label(application.region), "step": "review", "steps": STEPS,
        "method_label": _method_label(application),
    }  # fmt: skip
    return _page(request, "applications/h5/review.html", context, status=400 if request.method == "POST" else 200)


@h5_session.h5_login_required
def detail(request: HttpRequest, principal: CustomerPrincipal, pk: int) -> HttpResponse:
    application = _own(principal, pk)
    context = {
        "application": application, "result": plain_result(application), "region": region_label(application.region),
        "history": selectors.status_history(application), "documents_url": documents_url(application),
        "method_label": _method_label(application),
    }  # fmt: skip
    return _page(request, "applications/h5/detail.html", context)
