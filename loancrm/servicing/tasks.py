"""Helper workers of the end-of-day run (queue "batch"): each processes pending partitions of the date."""

import datetime as dt

from django_tasks import task

from loancrm.servicing.services import eod_assist


@task(queue_name="batch")
def eod_assist_task(business_date: str) -> int:
    return eod_assist(dt.date.fromisoformat(business_date))
