"""Background work of contracts: rendering the contract of a newly approved application (queue "default")."""

from __future__ import annotations

import logging

from django_tasks import task

from loancrm.core.errors import DomainError

log = logging.getLogger(__name__)


@task()
def contract_generate_task(application_id: int) -> str:
    """Render and send out the contract prepared at approval; a refusal is logged (staff can press "generate")."""
    from loancrm.contracts.services import contract_generate

    try:
        return contract_generate(application_id=application_id, actor=None).contract_no
    except DomainError as exc:
        log.warning("contract of application %s not generated: %s", application_id, exc)
        return ""


def enqueue_generate(application_id: int) -> None:
    contract_generate_task.enqueue(application_id)
