"""Payment pages: channels (list, create, edit, rotate the secret) and the maker-checker postings (request forms
reachable from a loan, the approval queue, the review page with approve / reject). Thin: parse, call one service or
selector, render."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from loancrm.core.business_date import current_business_date
from loancrm.core.errors import DomainError
from loancrm.core.forms import add_domain_error, flash_refusal
from loancrm.core.listing import paginate
from loancrm.core.permissions import View, perm_required
from loancrm.loans import channels, postings
from loancrm.loans.choices import OPEN_STATUSES, PostingKind, PrepaymentKeep, RequestStatus
from loancrm.loans.models import PaymentChannel, PaymentNotification
from loancrm.loans.payments_forms import (
    REQUEST_FORMS,
    ApproveForm,
    ChannelCreateForm,
    ChannelEditForm,
    ChannelRotateForm,
    RejectForm,
    ReversalRequestForm,
)
from loancrm.loans.selectors import access_loan

MANAGE = "loans.manage_payment_channels"


# ---- channels ----------------------------------------------------------------------------------------------------


@perm_required(MANAGE)
@require_http_methods(["GET", "POST"])
def channel_list(request: HttpRequest) -> HttpResponse:
    form = ChannelCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            channel = channels.channel_create(actor=request.user, request=request, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Payment channel %(code)s created.") % {"code": channel.code})
            return redirect("loans:channel_edit", pk=channel.pk)
    rows = [(channel, channels.masked_secret(channel.secret)) for channel in channels.channels_all()]
    return render(request, "loans/payments/channels.html", {"rows": rows, "form": form})


def _channel(pk: int) -> PaymentChannel:
    channel = PaymentChannel.objects.filter(pk=pk).first()
    if channel is None:
        raise Http404
    return channel


def _channel_page(request: HttpRequest, channel: PaymentChannel, edit: Any, rotate: Any) -> HttpResponse:
    recent = PaymentNotification.objects.filter(channel=channel).select_related("transaction").order_by("-id")[:20]
    context = {"channel": channel, "masked": channels.masked_secret(channel.secret), "form": edit,
               "rotate_form": rotate, "recent": recent,
               "notify_path": reverse("api:notify_payment", kwargs={"channel": channel.code})}  # fmt: skip
    return render(request, "loans/payments/channel_edit.html", context)


@perm_required(MANAGE)
@require_http_methods(["GET", "POST"])
def channel_edit(request: HttpRequest, pk: int) -> HttpResponse:
    channel = _channel(pk)
    initial = {"name": channel.name, "is_active": channel.is_active}
    form = ChannelEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            channels.channel_update(actor=request.user, channel_id=channel.pk, request=request, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("loans:channel_edit", pk=channel.pk)
    return _channel_page(request, channel, form, ChannelRotateForm())


@perm_required(MANAGE)
@require_POST
def channel_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    channel = _channel(pk)
    form = ChannelRotateForm(request.POST)
    if form.is_valid():
        try:
            channels.channel_update(
                actor=request.user, channel_id=channel.pk, secret=form.cleaned_data["secret"], request=request
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The signing secret was replaced."))
            return redirect("loans:channel_edit", pk=channel.pk)
    edit = ChannelEditForm(initial={"name": channel.name, "is_active": channel.is_active})
    return _channel_page(request, channel, edit, form)


# ---- posting requests --------------------------------------------------------------------------------------------


def any_perm_required(perms: Callable[..., tuple[str, ...]] | tuple[str, ...]) -> Callable[[View], View]:
    """Signed in and holding one of ``perms`` (or of ``perms(**view_kwargs)``)."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            needed = perms(**kwargs) if callable(perms) else perms
            if not any(request.user.has_perm(perm) for perm in needed):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def _kind_perm(*, kind: str, **_kwargs: Any) -> tuple[str, ...]:
    return (postings.KIND_PERM[PostingKind(kind)],)


@any_perm_required(_kind_perm)
@require_http_methods(["GET", "POST"])
def posting_new(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """The request form of one kind for one loan; a payoff or prepayment shows the payoff quote on the value date
    (the "quote" button refreshes it without making a request)."""
    loan = access_loan(request.user, pk)
    form_class = REQUEST_FORMS[kind]
    extra: dict[str, Any] = {}
    if kind == PostingKind.REVERSAL:
        extra["transactions"] = postings.reversible_transactions(loan)
        initial: dict[str, Any] = {"transaction": request.GET.get("transaction", "")}
    else:
        initial = {"value_date": current_business_date()}
    refresh = request.method == "POST" and "quote" in request.POST
    form = form_class(request.POST if request.method == "POST" else None, initial=initial, **extra)
    quote, quote_error = None, ""
    if kind in (PostingKind.PAYOFF, PostingKind.PREPAYMENT) and loan.status in OPEN_STATUSES:
        as_of = current_business_date()
        if request.method == "POST" and form.is_valid():
            as_of = form.cleaned_data["value_date"]
        try:
            quote = postings.posting_quote(loan=loan, as_of=as_of)
        except DomainError as exc:
            quote_error = exc.summary()
    if request.method == "POST" and not refresh and form.is_valid():
        data = form.service_data()  # type: ignore[attr-defined]
        try:
            row = postings.posting_request(actor=request.user, loan_id=loan.pk, kind=kind, request=request, **data)
        except DomainError as exc:
            if exc.status == 404:
                raise Http404 from exc
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Request #%(n)d is waiting for approval.") % {"n": row.pk})
            return redirect("loans:posting_detail", pk=row.pk)
    context = {"loan": loan, "kind": kind, "kind_label": PostingKind(kind).label, "form": form, "quote": quote,
               "quote_error": quote_error, "is_reversal": isinstance(form, ReversalRequestForm)}  # fmt: skip
    return render(request, "loans/payments/request_form.html", context)


@any_perm_required(postings.REQUEST_PERMS)
@require_http_methods(["GET"])
def posting_queue(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", RequestStatus.PENDING)
    filters = {"kind": request.GET.get("kind", "").strip(), "status": "" if status == "all" else status.strip(),
               "q": request.GET.get("q", "").strip()}  # fmt: skip
    if filters["kind"] not in PostingKind.values:
        filters["kind"] = ""
    if filters["status"] not in RequestStatus.values:
        filters["status"] = ""
    qs = postings.filter_requests(postings.requests_visible_to(request.user), **filters)
    sorts = {"id": "id", "requested": "requested_at", "amount": "amount", "value_date": "value_date"}
    listing = paginate(request, qs, sorts=sorts, default_sort="-id")
    context = {"listing": listing, "page_obj": listing.page_obj, "filters": {**filters, "status": status},
               "kinds": PostingKind.choices, "statuses": RequestStatus.choices}  # fmt: skip
    return render(request, "loans/payments/queue.html", context)


def _request_or_404(request: HttpRequest, pk: int) -> Any:
    try:
        return postings.access_request(request.user, pk)
    except DomainError as exc:
        raise Http404 from exc


def _detail(request: HttpRequest, row: Any, approve: Any = None, reject: Any = None) -> HttpResponse:
    quote, quote_error = None, ""
    if row.status == RequestStatus.PENDING and row.kind == PostingKind.PAYOFF and row.value_date:
        try:
            quote = postings.posting_quote(loan=row.loan, as_of=row.value_date)
        except DomainError as exc:
            quote_error = exc.summary()
    keep, use_advance = postings.keep_option(row.keep)
    context = {"row": row, "loan": row.loan, "quote": quote, "quote_error": quote_error,
               "keep_label": dict(PrepaymentKeep.choices).get(keep, ""), "use_advance": use_advance,
               "own": row.requested_by_id == request.user.pk,
               "may_decide": request.user.has_perm("loans.approve_posting") and row.status == RequestStatus.PENDING,
               "approve_form": approve or ApproveForm(), "reject_form": reject or RejectForm()}  # fmt: skip
    return render(request, "loans/payments/request_detail.html", context)


@any_perm_required(postings.REQUEST_PERMS)
@require_http_methods(["GET"])
def posting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _request_or_404(request, pk))


@perm_required("loans.approve_posting")
@require_POST
def posting_approve(request: HttpRequest, pk: int) -> HttpResponse:
    row = _request_or_404(request, pk)
    form = ApproveForm(request.POST)
    if not form.is_valid():
        return _detail(request, row, approve=form)
    try:
        decision = postings.posting_approve(
            actor=request.user, request_id=row.pk, note=form.cleaned_data["note"], request=request
        )
    except DomainError as exc:
        flash_refusal(request, exc)
    else:
        if decision.error is not None:
            messages.error(request, _("The posting failed: %(reason)s") % {"reason": decision.error.summary()})
        else:
            messages.success(request, _("Approved and posted: transaction #%(n)d.") % {
                "n": decision.request.transaction_id})  # fmt: skip
    return redirect("loans:posting_detail", pk=row.pk)


@perm_required("loans.approve_posting")
@require_POST
def posting_reject(request: HttpRequest, pk: int) -> HttpResponse:
    row = _request_or_404(request, pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        return _detail(request, row, reject=form)
    try:
        postings.posting_reject(actor=request.user, request_id=row.pk, note=form.cleaned_data["note"], request=request)
    except DomainError as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, _("Request #%(n)d rejected.") % {"n": row.pk})
    return redirect("loans:posting_detail", pk=row.pk)
