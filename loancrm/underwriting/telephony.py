"""Click-to-call for phone verification (电核). ``settings.REVIEW_TELEPHONY_PROVIDER`` names the class (dotted path);
the simulator is the default.

A provider's ``dial(number, reference=...)`` places one call and returns its id and, once the call is over, its
recording; it never writes to the database (``services.phone_call_place`` stores the result on the case).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import cache
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from loancrm.underwriting.audio import WAV, tone_wav

DEFAULT_PROVIDER = "loancrm.underwriting.telephony.SimulatorTelephony"


@dataclass(frozen=True)
class Call:
    call_id: str
    recording: bytes = b""
    recording_type: str = ""


class TelephonyProvider(Protocol):
    name: str

    def dial(self, number: str, *, reference: str) -> Call: ...


class SimulatorTelephony:
    """Calls no one: answers at once with a call id and a one-second tone as the recording."""

    name = "simulator"

    def dial(self, number: str, *, reference: str) -> Call:
        return Call(call_id=f"sim-{uuid.uuid4().hex[:20]}", recording=tone_wav(seconds=1.0), recording_type=WAV)


@cache
def _provider(path: str) -> TelephonyProvider:
    provider: TelephonyProvider = import_string(path)()
    return provider


def get_provider() -> TelephonyProvider:
    return _provider(getattr(settings, "REVIEW_TELEPHONY_PROVIDER", DEFAULT_PROVIDER))
