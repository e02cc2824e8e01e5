"""Job monitor pages: runs with live progress, one run's log, the registered jobs and starting one."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from loancrm.core.business_date import current_business_date
from loancrm.core.errors import DomainError
from loancrm.core.htmx import template_for
from loancrm.core.listing import paginate
from loancrm.core.permissions import perm_required
from loancrm.jobs import selectors, services
from loancrm.jobs.describe import describe_schedule
from loancrm.jobs.forms import RunFilterForm, RunNowForm
from loancrm.jobs.models import JobRun
from loancrm.jobs.registry import get_job

SORTS = {
    "name": "name",
    "date": "business_date",
    "status": "status",
    "started": "started_at",
    "finished": "finished_at",
    "created": "created_at",
}


@perm_required("jobs.view_jobrun")
@require_GET
def run_list(request: HttpRequest) -> HttpResponse:
    """Registered jobs and the filtered, sorted, paginated runs; htmx polls re-render only the runs table."""
    filters = RunFilterForm(request.GET or None)
    qs = selectors.runs(**filters.cleaned_data) if filters.is_valid() else selectors.runs()
    listing = paginate(request, qs, sorts=SORTS, default_sort="-created")
    context = {
        "filters": filters,
        "listing": listing,
        "page_obj": listing.page_obj,
        "active": any(run.is_active for run in listing.rows),
        "labels": {job.name: job.label for job in selectors.all_jobs()},
    }
    template = template_for(request, "jobs/run_list.html", "jobs/_runs_table.html")
    if template == "jobs/run_list.html":
        context["overview"] = [
            {**item, "schedule": describe_schedule(item["job"].schedule)} for item in selectors.job_overview()
        ]
        context["today"] = current_business_date()
    return render(request, template, context)


@perm_required("jobs.view_jobrun")
@require_GET
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One run: counts, progress, error and log; htmx polls the body while the run is active."""
    run = get_object_or_404(JobRun.objects.select_related("triggered_by"), pk=pk)
    job = get_job(run.name)
    context = {"run": run, "label": job.label if job else run.name, "active": run.is_active}
    return render(request, template_for(request, "jobs/run_detail.html", "jobs/_run_body.html"), context)


@perm_required("jobs.run_job")
@require_POST
def run_now(request: HttpRequest) -> HttpResponse:
    """Start (or resume) a job for a business date; every refusal becomes a flash message."""
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
