"""Follow-up pages: the task queue, the follow-up and interaction forms on the lead page, recordings, settings."""

from __future__ import annotations

import mimetypes

from django.contrib import messages
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from loancrm.core import htmx
from loancrm.core.audit import audit_event
from loancrm.core.errors import DomainError
from loancrm.core.forms import add_domain_error, flash_refusal
from loancrm.core.listing import paginate
from loancrm.core.permissions import perm_required
from loancrm.leads.choices import Stage
from loancrm.leads.selectors import access_lead
from loancrm.sales import scripts, selectors, services, tags
from loancrm.sales.choices import TaskKind, TaskStatus
from loancrm.sales.forms import FollowUpForm, InteractionForm, RefusalReasonForm, ScriptForm, SlaForm, TagForm
from loancrm.sales.hooks import sla_settings
from loancrm.sales.models import RefusalReason, Script, ScriptKind, Tag


@perm_required("sales.view_followuptask")
@require_GET
def task_list(request: HttpRequest) -> HttpResponse:
    filters = {key: request.GET.get(key, "").strip() for key in ("status", "kind", "overdue", "mine")}
    qs = selectors.filter_tasks(selectors.tasks_visible_to(request.user), viewer=request.user, **filters)
    listing = paginate(request, qs, sorts={"due": "due_at", "created": "created_at"}, default_sort="due")
    context = {
        "listing": listing, "page_obj": listing.page_obj, "filters": filters, "statuses": TaskStatus.choices,
        "kinds": TaskKind.choices, "overdue_total": selectors.overdue_count(request.user),
    }  # fmt: skip
    return render(request, "sales/tasks.html", context)


@perm_required("sales.add_followup")
@require_POST
def task_close(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.task_close(actor=request.user, task_id=pk, done=request.POST.get("done") == "1",
                            note=request.POST.get("note", ""), request=request)  # fmt: skip
    except DomainError as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, _("Task closed."))
    back = request.POST.get("next", "")
    return redirect(back if back.startswith("/") and not back.startswith("//") else "sales:tasks")


def _lead_page(lead_id: int) -> str:
    return reverse("leads:detail", args=[lead_id])


@perm_required("sales.add_followup")
@require_POST
def follow_up_create(request: HttpRequest, lead_id: int) -> HttpResponse:
    access_lead(request.user, lead_id)
    form = FollowUpForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        reason = data["refusal_reason"]
        try:
            services.followup_record(
                actor=request.user, lead_id=lead_id, points=data["points"], method=data["method"],
                intention_before=data["intention_before"], intention_after=data["intention_after"],
                outcome=data["outcome"], refusal_reason_id=reason.pk if reason else None,
                next_contact_at=data["next_contact_at"], request=request,
            )  # fmt: skip
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Follow-up recorded."))
            return htmx.redirect(_lead_page(lead_id)) if htmx.is_htmx(request) else redirect(_lead_page(lead_id))
    context = {"form": form, "lead_id": lead_id}
    return render(request, "sales/partials/follow_up_form.html", context, status=422)


@perm_required("sales.add_followup")
@require_POST
def interaction_create(request: HttpRequest, lead_id: int) -> HttpResponse:
    access_lead(request.user, lead_id)
    form = InteractionForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.interaction_add(
                actor=request.user, lead_id=lead_id, kind=data["kind"], summary=data["summary"], body=data["body"],
                occurred_at=data["occurred_at"], recording=data["recording"], provider_link=data["provider_link"],
                request=request,
            )  # fmt: skip
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Added to the timeline."))
            return htmx.redirect(_lead_page(lead_id)) if htmx.is_htmx(request) else redirect(_lead_page(lead_id))
    context = {"interaction_form": form, "lead_id": lead_id}
    return render(request, "sales/partials/interaction_form.html", context, status=422)


@perm_required("sales.view_interaction")
@require_GET
def recording_download(request: HttpRequest, pk: int) -> FileResponse:
    entry = selectors.access_recording(request.user, pk)
    audit_event(request.user, "sales.recording_downloaded", entry.lead, {"interaction": entry.pk}, request)
    content_type = mimetypes.guess_type(entry.recording.name)[0] or "application/octet-stream"
    name = f"{entry.lead}-{entry.occurred_at:%Y%m%d-%H%M}.{entry.recording.name.rsplit('.', 1)[-1]}"
    return FileResponse(entry.recording.open("rb"), as_attachment=True, filename=name, content_type=content_type)


@perm_required("sales.change_refusalreason")
@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    """Refusal reasons (add, rename, reorder, retire) and the follow-up SLA."""
    reason_form = RefusalReasonForm(prefix="reason")
    sla = sla_settings()
    sla_form = SlaForm(prefix="sla", initial={"first_call_minutes": sla.first_call_minutes,
                                              "second_follow_up_days": sla.second_follow_up_days})  # fmt: skip
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "sla":
                sla_form = SlaForm(request.POST, prefix="sla")
                if sla_form.is_valid():
                    services.sla_update(actor=request.user, request=request, **sla_form.cleaned_data)
                    messages.success(request, _("Follow-up SLA saved."))
                    return redirect("sales:settings")
            else:
                reason_form = RefusalReasonForm(request.POST, prefix="reason")
                raw_id = request.POST.get("reason_id", "")
                if reason_form.is_valid():
                    services.refusal_reason_save(actor=request.user, request=request,
                                                 reason_id=int(raw_id) if raw_id.isdigit() else None,
                                                 **reason_form.cleaned_data)  # fmt: skip
                    messages.success(request, _("Refusal reason saved."))
                    return redirect("sales:settings")
        except DomainError as exc:
            add_domain_error(sla_form if action == "sla" else reason_form, exc)
    context = {"reasons": RefusalReason.objects.all(), "reason_form": reason_form, "sla_form": sla_form}
    return render(request, "sales/settings.html", context, status=422 if request.method == "POST" else 200)


@perm_required("sales.change_tag")
@require_http_methods(["GET", "POST"])
def tag_settings(request: HttpRequest) -> HttpResponse:
    """Tags with how many leads carry each; add or change one (``?edit=<id>`` loads it into the form)."""
    raw_edit = request.GET.get("edit", "")
    editing = Tag.objects.filter(pk=int(raw_edit)).first() if raw_edit.isdigit() else None
    initial = {"name": editing.name, "color": editing.color, "rule": editing.rule, "description": editing.description,
               "active": editing.active} if editing else None  # fmt: skip
    form = TagForm(initial=initial)
    status = 200
    if request.method == "POST":
        form = TagForm(request.POST)
        raw_id = request.POST.get("tag_id", "")
        if form.is_valid():
            try:
                tags.tag_save(actor=request.user, tag_id=int(raw_id) if raw_id.isdigit() else None, request=request,
                              **form.cleaned_data)  # fmt: skip
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("Tag saved."))
                return redirect("sales:tags")
        status = 422
    context = {"tags": Tag.objects.annotate(leads=Count("lead_tags")), "form": form, "editing": editing,
               "facts": tags.FACTS}  # fmt: skip
    return render(request, "sales/tags.html", context, status=status)


@perm_required("sales.add_followup")
@require_POST
def lead_tags(request: HttpRequest, lead_id: int) -> HttpResponse:
    raw = request.POST.get("tag", "")
    service = tags.lead_tag_remove if request.POST.get("action") == "remove" else tags.lead_tag_add
    try:
        service(actor=request.user, lead_id=lead_id, tag_id=int(raw) if raw.isdigit() else 0, request=request)
    except DomainError as exc:
        if exc.status == 404 and not raw.isdigit():
            messages.error(request, _("Choose a tag."))
        elif exc.status == 404:
            raise Http404 from exc
        else:
            messages.error(request, exc.summary())
    return redirect(_lead_page(lead_id))


@perm_required("sales.view_script")
@require_GET
def script_list(request: HttpRequest) -> HttpResponse:
    filters = {key: request.GET.get(key, "").strip() for key in ("q", "kind", "product", "stage")}
    qs = scripts.search_scripts(**filters, active=not request.user.has_perm("sales.change_script"))
    listing = paginate(request, qs, sorts={"title": "title", "updated": "updated_at", "position": "position"},
                       default_sort="position")  # fmt: skip
    context = {"listing": listing, "page_obj": listing.page_obj, "filters": filters, "kinds": ScriptKind.choices,
               "stages": Stage.choices}  # fmt: skip
    return render(request, "sales/scripts.html", context)


@perm_required("sales.change_script")
@require_http_methods(["GET", "POST"])
def script_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    script = get_object_or_404(Script, pk=pk) if pk else None
    initial = {field: getattr(script, field) for field in ScriptForm.base_fields} if script else None
    form = ScriptForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            scripts.script_save(actor=request.user, script_id=pk, request=request, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Script saved."))
            return redirect("sales:scripts")
    status = 422 if request.method == "POST" else 200
    return render(request, "sales/script_form.html", {"form": form, "script": script}, status=status)
