"""The payment channel that pays a loan out, and the simulator used in the demo and tests.

``settings.DISBURSEMENT_CHANNEL`` names the class. ``submit(order)`` hands the order's current attempt to the
channel and returns the channel's reference at once; the outcome comes later as a signed callback
(``POST /api/v1/disbursements/callback``, see ``callbacks``). ``penny_send`` credits the small test amount of a
penny test. The simulator answers through a task enqueued after the submission commits; it fails an account whose
number ends in 0000 with “账户状态异常” (the demo's failing case) and pays every other one.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from functools import cache
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

DEFAULT_CHANNEL = "loancrm.disbursements.channels.SimulatorChannel"
FAILING_SUFFIX = "0000"
FAILURE_TEXT = "账户状态异常"


class DisbursementChannel(Protocol):
    code: str

    def submit(self, order: Any) -> str: ...

    def penny_send(self, account_no: str, amount: Decimal) -> str: ...


class SimulatorChannel:
    code = "SIMPAY"

    def submit(self, order: Any) -> str:
        from loancrm.disbursements.tasks import simulator_answer_task

        reference = f"SIM{uuid.uuid4().hex[:24].upper()}"
        transaction.on_commit(lambda: simulator_answer_task.enqueue(reference))
        return reference

    def penny_send(self, account_no: str, amount: Decimal) -> str:
        return f"PT{uuid.uuid4().hex[:20].upper()}"

    @staticmethod
    def outcome(account_no: str) -> tuple[str, str]:
        """(status, reason) the simulator answers for an account."""
        if account_no.endswith(FAILING_SUFFIX):
            return "failed", FAILURE_TEXT
        return "succeeded", ""


@cache
def _channel(path: str) -> DisbursementChannel:
    channel: DisbursementChannel = import_string(path)()
    return channel


def get_channel() -> DisbursementChannel:
    return _channel(getattr(settings, "DISBURSEMENT_CHANNEL", DEFAULT_CHANNEL))
