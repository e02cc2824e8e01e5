"""Follow-up API: record follow-ups, read and close tasks, read a lead's timeline. Same services as the pages."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate

from loancrm.accounts.api_auth import authorized, require_scope
from loancrm.core.pagination import PageNumberPagination
from loancrm.sales import scripts, selectors, services
from loancrm.sales.schemas import (
    FollowUpIn,
    FollowUpOut,
    InteractionOut,
    ScriptFilters,
    ScriptOut,
    TaskCloseIn,
    TaskFilters,
    TaskOut,
)

API_PREFIX = "/sales"
router = Router(tags=["sales"])


@router.post("/follow-ups", response={201: FollowUpOut}, auth=authorized("sales.add_followup"),
             summary="Record a follow-up on a lead")  # fmt: skip
def record_follow_up(request: HttpRequest, payload: FollowUpIn) -> Any:
    require_scope(request, "leads:write")
    return 201, services.followup_record(actor=request.user, request=request, **payload.dict())


@router.get("/tasks", response=list[TaskOut], auth=authorized("sales.view_followuptask"),
            summary="Follow-up tasks visible to the caller, earliest due first")  # fmt: skip
@paginate(PageNumberPagination)
def list_tasks(request: HttpRequest, filters: Query[TaskFilters]) -> Any:
    require_scope(request, "read")
    qs = selectors.tasks_visible_to(request.user)
    return selectors.filter_tasks(qs, viewer=request.user, **filters.dict()).order_by("due_at", "pk")


@router.post("/tasks/{task_id}/close", response={204: None}, auth=authorized("sales.add_followup"),
             summary="Mark a task done or cancel it")  # fmt: skip
def close_task(request: HttpRequest, task_id: int, payload: TaskCloseIn) -> Any:
    require_scope(request, "leads:write")
    services.task_close(actor=request.user, task_id=task_id, done=payload.done, note=payload.note, request=request)
    return 204, None


@router.get("/timeline/{lead_id}", response=list[InteractionOut], auth=authorized("leads.view_lead"),
            summary="A lead's interaction timeline, newest first")  # fmt: skip
def lead_timeline(request: HttpRequest, lead_id: int) -> Any:
    require_scope(request, "read")
    return selectors.timeline(request.user, lead_id)


@router.get("/scripts", response=list[ScriptOut], auth=authorized("sales.view_script"),
            summary="Search the script library (active scripts)")  # fmt: skip
@paginate(PageNumberPagination)
def list_scripts(request: HttpRequest, filters: Query[ScriptFilters]) -> Any:
    require_scope(request, "read")
    return scripts.search_scripts(**filters.dict())
