"""The SMS outbox page: every recorded (in the demo: simulated) message, newest first, mobiles masked."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from loancrm.core.listing import paginate
from loancrm.core.permissions import perm_required
from loancrm.messaging import selectors
from loancrm.messaging.choices import SMS_TEMPLATES


@perm_required("messaging.view_smsmessage")
@require_GET
def sms_list(request: HttpRequest) -> HttpResponse:
    filters = {key: request.GET.get(key, "").strip() for key in ("mobile", "template")}
    rows = selectors.sms_messages(request.user, **filters)
    listing = paginate(request, rows, sorts={"created": "created_at"}, default_sort="-created")
    context = {"listing": listing, "page_obj": listing.page_obj, "filters": filters, "templates": sorted(SMS_TEMPLATES)}
    return render(request, "messaging/sms_list.html", context)


@perm_required("messaging.view_emailmessagerecord")
@require_GET
def email_list(request: HttpRequest) -> HttpResponse:
    from loancrm.messaging.email_templates import EMAIL_TEMPLATES

    filters = {key: request.GET.get(key, "").strip() for key in ("address", "template")}
    rows = selectors.email_messages(request.user, **filters)
    listing = paginate(request, rows, sorts={"created": "created_at"}, default_sort="-created")
    context = {
        "listing": listing, "page_obj": listing.page_obj, "filters": filters, "templates": sorted(EMAIL_TEMPLATES),
    }  # fmt: skip
    return render(request, "messaging/email_list.html", context)
