"""Background work of credit review: open the case of an application that entered manual review."""

from django_tasks import task


@task()
def open_case_task(application_id: int) -> int | None:
    """Route and assign the application's review case; the case id (None when it cannot be routed yet)."""
    from loancrm.underwriting.services import review_case_open

    case = review_case_open(application_id=application_id)
    return case.pk if case else None
