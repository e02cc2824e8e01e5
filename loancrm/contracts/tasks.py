"""Background work of contracts: rendering the contract of a newly approved application (queue "default").

Rendering takes seconds, so it runs only in a real worker, a moment after the approval commits: a task backend that
cannot defer (the in-process immediate backend of tests) leaves the prepared draft for the contract page's
"generate" button, so no approval or test waits for the renderer.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone
from django_tasks import task

from loancrm.core.errors import DomainError

log = logging.getLogger(__name__)


@task()
def contract_generate_task(application_id: int) -> str:
    """Render and send out the contract prepared at approval (once); a refusal is logged (staff can "generate")."""
    from loancrm.contracts.choices import ContractStatus
    from loancrm.contracts.models import Contract
    from loancrm.contracts.services import contract_generate

    contract = Contract.objects.filter(application_id=application_id).first()
    if contract is None or contract.status != ContractStatus.DRAFT or contract.files.exists():
        return ""  # generated meanwhile (by staff or the demo), or cancelled
    try:
        return contract_generate(application_id=application_id, actor=None).contract_no
    except DomainError as exc:
        log.warning("contract of application %s not generated: %s", application_id, exc)
        return ""


DELAY = dt.timedelta(seconds=2)


def enqueue_generate(application_id: int) -> None:
    if not contract_generate_task.get_backend().supports_defer:
        log.info("contract of application %s prepared; generate it from the contract page", application_id)
        return
    contract_generate_task.using(run_after=timezone.now() + DELAY).enqueue(application_id)
