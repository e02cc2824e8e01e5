"""Job monitor pages: runs with live progress, one run's log, and starting a job."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from loancrm.core.business_date import current_business_date
from loancrm.core.errors import DomainError
from loancrm.core.htmx import is_htmx
from loancrm.core.listing import paginate
from loancrm.core.permissions import perm_required
from loancrm.jobs import selectors, services
from loancrm.jobs.describe import describe_schedule
from loancrm.jobs.forms import RunFilterForm, RunNowForm
from loancrm.jobs.models import JobRun
from loancrm.jobs.registry import get_job

SORTS = {"name": "name", "date": "business_date", "status": "status", "started": "started_at", "created": "created_at"}


@perm_required("jobs.view_jobrun")
@require_GET
def run_list(request: HttpRequest) -> HttpResponse:
    filters = RunFilterForm(request.GET or None)
    qs = selectors.runs(**filters.cleaned_data) if filters.is_valid() else selectors.runs()
    listing = paginate(request, qs, sorts=SORTS, default_sort="-created")
    context = {
        "filters": filters,
        "listing": listing,
        "page_obj": listing.page_obj,
        "active": any(run.status in ("pending", "running") for run in listing.rows),
        "labels": {job.name: job.label for job in selectors.all_jobs()},
    }
    if is_htmx(request) and request.GET.get("part") == "rows":
        return render(request, "jobs/_runs_table.html", context)
    overview = [{**item, "schedule": describe_schedule(item["job"].schedule)} for item in selectors.job_overview()]
    context.update(
        overview=overview,
        run_form=RunNowForm(initial={"business_date": current_business_date()}),
    )
    return render(request, "jobs/run_list.html", context)


@perm_required("jobs.view_jobrun")
@require_GET
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(JobRun.objects.select_related("triggered_by"), pk=pk)
    job = get_job(run.name)
    context = {"run": run, "label": job.label if job else run.name, "active": run.status in ("pending", "running")}
    if is_htmx(request):
        return render(request, "jobs/_run_body.html", context)
    return render(request, "jobs/run_detail.html", context)


@perm_required("jobs.run_job")
@require_POST
def run_now(request: HttpRequest) -> HttpResponse:
    form = RunNowForm(request.POST)
    if not form.is_valid():
        details = [str(e) for errors in form.errors.values() for e in errors]
        messages.error(request, _("The job was not started: %(errors)s") % {"errors": " ".join(details)})
        return redirect("jobs:runs")
    try:
        run = services.job_start(
            name=form.cleaned_data["name"],
            business_date=form.cleaned_data["business_date"],
            actor=request.user,
            request=request,
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("jobs:runs")
    messages.success(request, _("Job queued: %(run)s (attempt %(attempt)d).") % {"run": run, "attempt": run.attempt})
    return redirect("jobs:run_detail", pk=run.pk)
