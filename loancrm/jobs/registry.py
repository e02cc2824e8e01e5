"""The registry of batch jobs. Apps declare jobs in their ``jobs.py`` with ``@batch_job``.

A job function receives a ``JobRunContext`` and must be resumable: it reads ``ctx.cursor`` to skip work done in
an earlier attempt and calls ``ctx.advance(..., cursor=...)`` after each committed batch.

``per_business_date=False``: the scheduler keys each run by its slot (intraday jobs). ``rerunnable=True``: starting
a job that already succeeded for the date runs it again from the beginning instead of being refused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from loancrm.jobs.schedule import Schedule

if TYPE_CHECKING:
    from loancrm.jobs.runner import JobRunContext

JobFunction = Callable[["JobRunContext"], None]


@dataclass(frozen=True)
class BatchJob:
    name: str
    label: Any
    function: JobFunction
    schedule: Schedule | None = None
    per_business_date: bool = True
    description: Any = ""
    rerunnable: bool = False


REGISTRY: dict[str, BatchJob] = {}


def batch_job(
    name: str,
    label: Any,
    *,
    schedule: Schedule | None = None,
    per_business_date: bool = True,
    description: Any = "",
    rerunnable: bool = False,
) -> Callable[[JobFunction], JobFunction]:
    """Register ``function`` as the job ``name`` (a dotted slug, at most 80 characters)."""
    if not name or len(name) > 80 or name != name.strip():
        raise ValueError(f"invalid job name {name!r}")

    def register(function: JobFunction) -> JobFunction:
        if name in REGISTRY and REGISTRY[name].function is not function:
            raise ValueError(f"job {name!r} is registered twice")
        REGISTRY[name] = BatchJob(name, label, function, schedule, per_business_date, description, rerunnable)
        return function

    return register


def autodiscover() -> None:
    """Import every ``loancrm.<app>.jobs`` module so its jobs register."""
    from loancrm.core.discovery import app_modules

    list(app_modules("jobs"))  # importing a module is what registers its jobs


def get_job(name: str) -> BatchJob | None:
    return REGISTRY.get(name)


def all_jobs() -> list[BatchJob]:
    return sorted(REGISTRY.values(), key=lambda job: job.name)
