"""Disbursement pages: the queue of signed applications with their checklist, and an application's disbursement
(checklist, bank account and penny test, the order with its attempts, request / retry / cancel)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from loancrm.applications import lifecycle
from loancrm.core.errors import DomainError, NotFound
from loancrm.core.forms import flash_refusal
from loancrm.core.listing import paginate
from loancrm.core.permissions import perm_required
from loancrm.disbursements import selectors, services
from loancrm.disbursements.channels import SimulatorChannel, get_channel
from loancrm.disbursements.checklist import current_account, disbursement_checklist
from loancrm.disbursements.choices import OrderStatus, PennyStatus
from loancrm.disbursements.models import BankAccountVerification, DisbursementOrder
from loancrm.products.models import Product

VIEW = selectors.VIEW


def _application(request: HttpRequest, pk: int) -> Any:
    try:
        return selectors.access_application(request.user, pk)
    except NotFound:
        raise Http404 from None


@perm_required(VIEW)
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    filters = {key: request.GET.get(key, "").strip() for key in ("q", "product", "ready")}
    rows = selectors.queue_visible_to(request.user)
    if filters["q"]:
        rows = rows.filter(number__icontains=filters["q"])
    if filters["product"]:
        rows = rows.filter(product_version__product__code=filters["product"])
    if filters["ready"] in ("ready", "blocked"):
        want = filters["ready"] == "ready"
        chosen = [a.pk for a in rows if all(r.passed for r in disbursement_checklist(a)) == want]
        rows = rows.filter(pk__in=chosen)
    sorts = {"signed": "status_changed_at", "amount": "approved_amount", "number": "number"}
    listing = paginate(request, rows, sorts=sorts, default_sort="-signed")
    shown = []
    for application in listing.rows:
        results = disbursement_checklist(application)
        shown.append({"a": application, "checks": results, "ready": all(r.passed for r in results),
                      "order": selectors.latest_order(application)})  # fmt: skip
    context = {"listing": listing, "page_obj": listing.page_obj, "rows": shown, "filters": filters,
               "products": Product.objects.order_by("code")}  # fmt: skip
    return render(request, "disbursements/queue.html", context)


@perm_required(VIEW)
@require_GET
def application_page(request: HttpRequest, pk: int) -> HttpResponse:
    from loancrm.messaging.selectors import application_notices

    application = _application(request, pk)
    checks = disbursement_checklist(application)
    orders = list(selectors.orders_of(application))
    account = current_account(application)
    live = next((o for o in orders if o.status in (OrderStatus.CREATED, OrderStatus.SUBMITTED,
                                                    OrderStatus.SUCCEEDED)), None)  # fmt: skip
    failed = next((o for o in orders if o.status == OrderStatus.FAILED), None)
    user = request.user
    context = {
        "application": application,
        "contract_no": lifecycle.contract_number(application),
        "checks": checks,
        "ready": all(r.passed for r in checks),
        "account": account,
        "earlier_accounts": BankAccountVerification.objects.filter(application=application, is_current=False),
        "orders": orders,
        "live": live,
        "failed": failed,
        "notices": application_notices(application)[:20],
        "can_request": user.has_perm(services.REQUEST),
        "can_verify": user.has_perm(services.VERIFY),
        "simulator": isinstance(get_channel(), SimulatorChannel),
        "penny_pending": account is not None and account.status == PennyStatus.PENDING,
    }
    return render(request, "disbursements/application.html", context)


def _done(request: HttpRequest, pk: int, call: Any, success: str) -> HttpResponse:
    try:
        call()
    except DomainError as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, success)
    return redirect("disbursements:application", pk=pk)


@perm_required(VIEW, services.VERIFY)
@require_POST
def penny_start(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    post = request.POST
    return _done(request, application.pk, lambda: services.penny_test_start(
        application_id=application.pk, bank_name=post.get("bank_name", ""), account_no=post.get("account_no", ""),
        holder_name=post.get("holder_name", ""), actor=request.user, request=request,
    ), _("The test amount was sent. Ask the customer for the amount on their statement."))  # fmt: skip


@perm_required(VIEW, services.VERIFY)
@require_POST
def penny_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    account = current_account(application)
    if account is None:
        raise Http404
    return _done(request, application.pk, lambda: services.penny_test_confirm(
        verification_id=account.pk, amount=request.POST.get("amount", ""), actor=request.user, request=request,
    ), _("The bank account is verified."))  # fmt: skip


@perm_required(VIEW, services.REQUEST)
@require_POST
def request_view(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    key = request.POST.get("idempotency_key", "")
    return _done(request, application.pk, lambda: services.disbursement_request(
        application_id=application.pk, actor=request.user, idempotency_key=key, request=request,
    ), _("The disbursement was sent to the payment channel."))  # fmt: skip


def _order(request: HttpRequest, pk: int) -> DisbursementOrder:
    order = DisbursementOrder.objects.filter(pk=pk).first()
    if order is None:
        raise Http404
    _application(request, order.application_id)
    return order


@perm_required(VIEW, services.REQUEST)
@require_POST
def retry_view(request: HttpRequest, pk: int) -> HttpResponse:
    order = _order(request, pk)
    return _done(request, order.application_id, lambda: services.disbursement_retry(
        order_id=order.pk, actor=request.user, request=request), _("The disbursement was sent again."))  # fmt: skip


@perm_required(VIEW, services.REQUEST)
@require_POST
def cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    order = _order(request, pk)
    give_up = request.POST.get("cancel_application") == "1"
    return _done(request, order.application_id, lambda: services.disbursement_cancel(
        order_id=order.pk, actor=request.user, reason=request.POST.get("reason", ""), cancel_application=give_up,
        request=request), _("The disbursement order was cancelled."))  # fmt: skip
