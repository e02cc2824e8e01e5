"""The task the worker runs for every job start (queue "batch")."""

from django_tasks import task

from loancrm.jobs.runner import execute_run


@task(queue_name="batch")
def run_job(run_id: int) -> str:
    return execute_run(run_id)
