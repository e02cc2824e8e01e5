"""SMS providers. ``settings.SMS_PROVIDER`` names the class (dotted path); the simulator is the default.

A provider's ``deliver(mobile, text)`` hands one message to the gateway and returns its outcome; it never writes
to the database (``services.send_sms`` records every message, whatever the provider).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import cache
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

DEFAULT_PROVIDER = "loancrm.messaging.providers.SimulatorProvider"


@dataclass(frozen=True)
class Delivery:
    status: str
    provider_id: str = ""
    error: str = ""


class SmsProvider(Protocol):
    name: str

    def deliver(self, mobile: str, text: str) -> Delivery: ...


class SimulatorProvider:
    """Sends nothing: the message is only recorded, so demo users read it on the outbox page."""

    name = "simulator"

    def deliver(self, mobile: str, text: str) -> Delivery:
        return Delivery(status="simulated", provider_id=f"sim-{uuid.uuid4().hex[:20]}")


@cache
def _provider(path: str) -> SmsProvider:
    provider: SmsProvider = import_string(path)()
    return provider


def get_provider() -> SmsProvider:
    return _provider(getattr(settings, "SMS_PROVIDER", DEFAULT_PROVIDER))
