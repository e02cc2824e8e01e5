"""Background work of documents: the ID-card reading (OCR), queued after the upload commits.

A reading takes seconds of CPU, so it runs below the default priority: a backlog of readings (the demo seed queues
one per demo card) never holds up pre-screens, contract rendering or payment-channel answers.
"""

from django_tasks import task

from loancrm.documents.readings import id_card_reading_run


@task(priority=-10)
def read_id_card(reading_id: int) -> str:
    return id_card_reading_run(reading_id=reading_id)
