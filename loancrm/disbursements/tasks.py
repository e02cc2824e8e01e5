"""Background work of disbursement: the channel simulator's answer (queue "default").

The simulator posts its answer as a real channel would: a JSON body signed with the channel secret, handed to the
same receiving service as ``POST /api/v1/disbursements/callback``. Running it twice is harmless (the second is an
idempotent replay).
"""

from __future__ import annotations

import json
from typing import Any

from django_tasks import task

from loancrm.core.money import money_str


def simulator_callback(reference: str) -> tuple[bytes, str, str] | None:
    """(body, X-Timestamp, X-Signature) of the simulator's answer to attempt ``reference`` (None: no such one)."""
    from loancrm.disbursements import callbacks
    from loancrm.disbursements.channels import SimulatorChannel
    from loancrm.disbursements.models import DisbursementAttempt

    attempt = DisbursementAttempt.objects.select_related("order__account").filter(channel_reference=reference).first()
    if attempt is None:
        return None
    order = attempt.order
    status, reason = SimulatorChannel.outcome(order.account.account_no)
    body = {"channel_reference": reference, "contract_no": order.contract_no, "amount": money_str(order.amount),
            "status": status, "reason": reason}  # fmt: skip
    raw = json.dumps(body, ensure_ascii=False, sort_keys=True).encode()
    timestamp, signature = callbacks.signed_headers(raw)
    return raw, timestamp, signature


def simulator_answer(reference: str) -> Any:
    """Deliver the simulator's signed answer for ``reference``; the callback's answer (None: unknown reference)."""
    from loancrm.disbursements.callbacks import callback_receive

    signed = simulator_callback(reference)
    if signed is None:
        return None
    raw, timestamp, signature = signed
    return callback_receive(raw_body=raw, timestamp=timestamp, signature=signature)


@task()
def simulator_answer_task(reference: str) -> int:
    answer = simulator_answer(reference)
    return answer.status if answer is not None else 404
