"""Background work of documents: the ID-card reading (OCR), queued after the upload commits."""

from django_tasks import task

from loancrm.documents.readings import id_card_reading_run


@task()
def read_id_card(reading_id: int) -> str:
    return id_card_reading_run(reading_id=reading_id)
