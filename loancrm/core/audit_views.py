"""The audit viewer for compliance officers and administrators: filter, inspect before/after, export."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from loancrm.core.audit import ACTION_LABELS, action_label
from loancrm.core.errors import DomainError
from loancrm.core.exports import Column, export_response
from loancrm.core.forms import DateInput, StyledFormMixin
from loancrm.core.listing import paginate
from loancrm.core.models import AuditEvent
from loancrm.core.permissions import perm_required


class AuditFilterForm(StyledFormMixin, forms.Form):
    actor = forms.CharField(label=_("Actor"), required=False, max_length=150)
    action = forms.CharField(label=_("Action"), required=False, max_length=80)
    target_type = forms.CharField(label=_("Object type"), required=False, max_length=80)
    target_id = forms.CharField(label=_("Object id"), required=False, max_length=64)
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput())


def filtered_events(data: dict[str, Any]) -> QuerySet[AuditEvent]:
    qs = AuditEvent.objects.all()
    if data.get("actor"):
        qs = qs.filter(actor_repr__icontains=data["actor"])
    if data.get("action"):
        qs = qs.filter(action__startswith=data["action"])
    if data.get("target_type"):
        qs = qs.filter(target_type=data["target_type"])
    if data.get("target_id"):
        qs = qs.filter(target_id=data["target_id"])
    tz = timezone.get_current_timezone()
    if data.get("date_from"):
        qs = qs.filter(created_at__gte=dt.datetime.combine(data["date_from"], dt.time.min, tzinfo=tz))
    if data.get("date_to"):
        qs = qs.filter(
            created_at__lt=dt.datetime.combine(data["date_to"] + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        )
    return qs


def _filters(request: HttpRequest) -> tuple[AuditFilterForm, QuerySet[AuditEvent]]:
    form = AuditFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    return form, filtered_events(data)


@perm_required("accounts.view_audit")
@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    form, qs = _filters(request)
    listing = paginate(
        request, qs.select_related("actor"), sorts={"seq": "id", "time": "created_at", "action": "action"},
        default_sort="-seq",
    )  # fmt: skip
    actions = sorted(ACTION_LABELS.items(), key=lambda item: item[0])
    return render(
        request,
        "core/audit/list.html",
        {"filters": form, "listing": listing, "page_obj": listing.page_obj, "actions": actions},
    )


@perm_required("accounts.view_audit")
@require_GET
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(AuditEvent.objects.select_related("actor"), pk=pk)
    data = dict(event.data or {})
    before, after = data.pop("before", None), data.pop("after", None)
    changes = []
    if isinstance(before, dict) or isinstance(after, dict):
        before, after = before or {}, after or {}
        for key in sorted(set(before) | set(after)):
            changes.append({"field": key, "before": before.get(key), "after": after.get(key),
                            "changed": before.get(key) != after.get(key)})  # fmt: skip
    return render(
        request,
        "core/audit/detail.html",
        {"event": event, "label": action_label(event.action), "changes": changes, "context_data": data},
    )


COLUMNS = [
    Column(_("Sequence"), lambda e: e.pk),
    Column(_("Time"), lambda e: e.created_at),
    Column(_("Actor"), lambda e: e.actor_repr),
    Column(_("Action"), lambda e: action_label(e.action)),
    Column(_("Action code"), lambda e: e.action),
    Column(_("Object type"), lambda e: e.target_type),
    Column(_("Object id"), lambda e: e.target_id),
    Column(_("Object"), lambda e: e.target_repr),
    Column(_("IP address"), lambda e: e.ip),
]


@perm_required("accounts.view_audit")
@require_GET
def event_export(request: HttpRequest) -> HttpResponseBase:
    form, qs = _filters(request)
    try:
        return export_response(
            actor=request.user,
            name="audit-log",
            columns=COLUMNS,
            rows=qs.order_by("id").iterator(chunk_size=2000),
            row_count=qs.count(),
            fmt=request.GET.get("format", "csv"),
            request=request,
            filters={k: str(v) for k, v in (form.cleaned_data if form.is_valid() else {}).items() if v},
        )
    except DomainError as exc:
        messages.error(request, exc.summary())
        return redirect("audit:list")
