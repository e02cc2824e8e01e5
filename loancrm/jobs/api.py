"""Job monitor API: registered jobs, runs with progress, starting a run. Same services as the pages.

Permissions are checked before validation (``authorized``); tokens need the "read" scope to read and "*" to start.
"""

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router
from ninja.pagination import paginate

from loancrm.accounts.api_auth import authorized, require_scope
from loancrm.core.pagination import PageNumberPagination
from loancrm.jobs import selectors, services
from loancrm.jobs.describe import describe_schedule
from loancrm.jobs.models import JobRun
from loancrm.jobs.schemas import JobOut, JobRunDetailOut, JobRunOut, JobStartIn, RunFilters

API_PREFIX = "/jobs"
router = Router(tags=["jobs"])


@router.get(
    "/", response=list[JobOut], summary="Registered batch jobs and their schedules", auth=authorized("jobs.view_jobrun")
)
def list_jobs(request: HttpRequest) -> Any:
    require_scope(request, "read")
    return [
        {
            "name": job.name,
            "label": str(job.label),
            "description": str(job.description),
            "schedule": describe_schedule(job.schedule),
            "per_business_date": job.per_business_date,
            "rerunnable": job.rerunnable,
        }
        for job in selectors.all_jobs()
    ]


@router.get("/runs", response=list[JobRunOut], summary="Job runs, newest first", auth=authorized("jobs.view_jobrun"))
@paginate(PageNumberPagination)
def list_runs(request: HttpRequest, filters: Query[RunFilters]) -> Any:
    require_scope(request, "read")
    return selectors.runs(**filters.dict()).order_by("-created_at", "-id")


@router.get(
    "/runs/{run_id}", response=JobRunDetailOut, summary="One job run with its log", auth=authorized("jobs.view_jobrun")
)
def get_run(request: HttpRequest, run_id: int) -> Any:
    require_scope(request, "read")
    return get_object_or_404(JobRun, pk=run_id)


@router.post(
    "/runs",
    response={202: JobRunOut},
    summary="Start or resume a job for a business date",
    auth=authorized("jobs.run_job"),
)
def start_run(request: HttpRequest, payload: JobStartIn) -> Any:
    require_scope(request, "*")
    run = services.job_start(
        name=payload.name, business_date=payload.business_date, actor=request.user, request=request
    )
    return 202, run
