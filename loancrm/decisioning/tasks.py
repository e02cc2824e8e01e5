"""Background work of decisioning: the automated pre-screen of a submitted application (queue "default")."""

from django_tasks import task

from loancrm.decisioning.services import application_prescreen


@task()
def prescreen_task(application_id: int) -> int:
    """Pre-screen the application; the id of its decision (an existing one when it was decided already)."""
    return application_prescreen(application_id=application_id).pk


def enqueue_prescreen(application_id: int) -> None:
    """The ``applications.services.on_submitted`` hook: queue the pre-screen (runs after the submission commits)."""
    prescreen_task.enqueue(application_id)
