"""The contract stage's hooks into ``applications.lifecycle`` (registered in ``ContractsConfig.ready``)."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from loancrm.applications.lifecycle import CheckResult
from loancrm.applications.models import Application
from loancrm.core.errors import DomainError
from loancrm.loans.schedule import ScheduleError

log = logging.getLogger(__name__)


def on_credit_approved(application: Application, actor: Any) -> None:
    """Prepare the contract (terms frozen, rendered after commit). A contract problem never blocks the approval:
    it is logged and the contract page's "generate" button retries."""
    from loancrm.contracts.services import contract_prepare

    try:
        with transaction.atomic():
            contract_prepare(application, actor)
    except (DomainError, ScheduleError) as exc:
        log.warning("contract of application %s not prepared: %s", application.pk, exc)


def contract_signed_check(application: Application) -> CheckResult:
    from loancrm.contracts.services import contract_signed_check as check

    return check(application)
