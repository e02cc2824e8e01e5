"""External data provider interfaces and their results (pure, no Django).

A provider answers one kind of query about one subject key (an individual's ID number, a company's unified social
credit code) within ``timeout_s`` seconds, or raises ``ProviderTimeout`` / ``ProviderUnavailable``. Results are
frozen dataclasses; ``to_json`` turns one into JSON-ready data with Decimals and dates as strings.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Any, Protocol


class Kind(StrEnum):
    BUREAU = "bureau"
    MULTI_LENDING = "multi_lending"
    COURT = "court"
    BLACKLIST = "blacklist"
    BUSINESS_REGISTRY = "business_registry"


class ProviderError(Exception):
    """The provider gave no answer; the call may be retried."""


class ProviderTimeout(ProviderError):
    pass


class ProviderUnavailable(ProviderError):
    pass


@dataclasses.dataclass(frozen=True)
class BureauSummary:
    accounts: int
    open_accounts: int
    overdue_accounts: int
    max_overdue_months: int
    inquiries_1m: int
    inquiries_3m: int
    inquiries_6m: int
    outstanding_debt: Decimal


@dataclasses.dataclass(frozen=True)
class MultiLending:
    count_3m: int
    count_6m: int
    institutions: int


@dataclasses.dataclass(frozen=True)
class CourtRecords:
    enforcement_count: int
    dishonest_debtor: bool
    cases: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class BlacklistHit:
    internal_hit: bool
    external_hit: bool
    reason: str = ""


@dataclasses.dataclass(frozen=True)
class BusinessRegistry:
    name: str
    status: str
    registered_capital: Decimal
    established_on: dt.date
    legal_representative_masked: str


Result = BureauSummary | MultiLending | CourtRecords | BlacklistHit | BusinessRegistry


class BureauProvider(Protocol):
    name: str

    def bureau(self, key: str, *, timeout_s: float) -> BureauSummary: ...


class MultiLendingProvider(Protocol):
    name: str

    def multi_lending(self, key: str, *, timeout_s: float) -> MultiLending: ...


class CourtProvider(Protocol):
    name: str

    def court(self, key: str, *, timeout_s: float) -> CourtRecords: ...


class BlacklistProvider(Protocol):
    name: str

    def blacklist(self, key: str, *, timeout_s: float) -> BlacklistHit: ...


class BusinessRegistryProvider(Protocol):
    name: str

    def business_registry(self, key: str, *, timeout_s: float) -> BusinessRegistry: ...


def _plain(value: Any) -> Any:
    if isinstance(value, (Decimal, dt.date)):
        return str(value)
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    return value


def to_json(result: Result) -> dict[str, Any]:
    return {field.name: _plain(getattr(result, field.name)) for field in dataclasses.fields(result)}
