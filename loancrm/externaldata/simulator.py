"""The deterministic simulator provider behind the demo and the tests (pure, no Django).

Every answer is derived from the SHA-256 of the subject key (ID number or unified social credit code), so the same
key always gets the same profile. The first hash bytes pick a risk band — about 80 % clean, 15 % with some overdue
history, 5 % severe (court records, blacklist) — and later bytes the counts within the band; multi-lending counts
are skewed towards zero. ``fail_first`` makes the first calls of an instance fail with ``failure`` and
``latency_s`` above the caller's timeout makes every call time out, so retries and timeouts can be tested.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

from loancrm.externaldata.providers import (
    BlacklistHit,
    BureauSummary,
    BusinessRegistry,
    CourtRecords,
    MultiLending,
    ProviderError,
    ProviderTimeout,
)

CLEAN, OVERDUE, SEVERE = "clean", "overdue", "severe"


class _Draw:
    """Numbers drawn one after another from the key's hash."""

    def __init__(self, key: str, kind: str):
        self.digest = hashlib.sha256(f"{kind}:{key.strip().upper()}".encode()).digest()
        self.band_digest = hashlib.sha256(key.strip().upper().encode()).digest()
        self.pos = 0

    def unit(self) -> float:
        chunk = self.digest[self.pos : self.pos + 2]
        self.pos = (self.pos + 2) % 30
        return int.from_bytes(chunk, "big") / 65536

    def int_between(self, low: int, high: int) -> int:
        return low + int(self.unit() * (high - low + 1))

    def band(self) -> str:
        u = int.from_bytes(self.band_digest[:2], "big") / 65536
        return SEVERE if u < 0.05 else OVERDUE if u < 0.20 else CLEAN


def band_of(key: str) -> str:
    """The risk band a key falls in (the same for every kind of query)."""
    return _Draw(key, "").band()


class Simulator:
    name = "simulator"

    def __init__(self, *, fail_first: int = 0, failure: type[ProviderError] = ProviderTimeout, latency_s: float = 0.0):
        self.fail_first, self.failure, self.latency_s = fail_first, failure, latency_s
        self.calls = 0

    def _call(self, timeout_s: float) -> None:
        self.calls += 1
        if self.calls <= self.fail_first:
            raise self.failure()
        if self.latency_s > timeout_s:
            raise ProviderTimeout()

    def bureau(self, key: str, *, timeout_s: float) -> BureauSummary:
        self._call(timeout_s)
        draw = _Draw(key, "bureau")
        band = draw.band()
        accounts = draw.int_between(0, 12)
        open_accounts = min(accounts, draw.int_between(0, 5))
        if band == CLEAN:
            overdue, months = 0, 0
            inquiries_1m = draw.int_between(0, 1)
        elif band == OVERDUE:
            overdue, months = draw.int_between(0, 2), draw.int_between(1, 3)
            inquiries_1m = draw.int_between(0, 3)
        else:
            overdue, months = draw.int_between(1, 4), draw.int_between(3, 12)
            inquiries_1m = draw.int_between(2, 6)
        inquiries_3m = inquiries_1m + draw.int_between(0, 3)
        inquiries_6m = inquiries_3m + draw.int_between(0, 4)
        debt = Decimal(draw.int_between(0, 60) * 5000 if open_accounts else 0).quantize(Decimal("0.01"))
        return BureauSummary(
            accounts=max(accounts, overdue), open_accounts=max(open_accounts, overdue), overdue_accounts=overdue,
            max_overdue_months=months, inquiries_1m=inquiries_1m, inquiries_3m=inquiries_3m,
            inquiries_6m=inquiries_6m, outstanding_debt=debt,
        )  # fmt: skip

    def multi_lending(self, key: str, *, timeout_s: float) -> MultiLending:
        self._call(timeout_s)
        draw = _Draw(key, "multi_lending")
        scale = {CLEAN: 3, OVERDUE: 6, SEVERE: 12}[draw.band()]
        count_3m = int(draw.unit() ** 3 * scale)
        count_6m = count_3m + int(draw.unit() ** 2 * scale)
        return MultiLending(count_3m=count_3m, count_6m=count_6m, institutions=count_6m + draw.int_between(0, 2))

    def court(self, key: str, *, timeout_s: float) -> CourtRecords:
        self._call(timeout_s)
        draw = _Draw(key, "court")
        if draw.band() != SEVERE:
            return CourtRecords(enforcement_count=0, dishonest_debtor=False)
        count = draw.int_between(1, 3)
        cases = tuple(f"({2020 + draw.int_between(0, 5)})执{draw.int_between(100, 9999)}号" for _ in range(count))
        return CourtRecords(enforcement_count=count, dishonest_debtor=draw.unit() < 0.5, cases=cases)

    def blacklist(self, key: str, *, timeout_s: float) -> BlacklistHit:
        self._call(timeout_s)
        draw = _Draw(key, "blacklist")
        if draw.band() != SEVERE:
            return BlacklistHit(internal_hit=False, external_hit=False)
        internal = draw.unit() < 0.4
        return BlacklistHit(internal_hit=internal, external_hit=not internal or draw.unit() < 0.5, reason="fraud_risk")

    def business_registry(self, key: str, *, timeout_s: float) -> BusinessRegistry:
        self._call(timeout_s)
        draw = _Draw(key, "business_registry")
        status = "存续" if draw.band() != SEVERE else ("吊销" if draw.unit() < 0.5 else "经营异常")
        return BusinessRegistry(
            name=f"模拟企业{key[-6:]}有限公司", status=status,
            registered_capital=Decimal(draw.int_between(1, 500) * 10000).quantize(Decimal("0.01")),
            established_on=dt.date(1995, 1, 1) + dt.timedelta(days=draw.int_between(0, 10000)),
            legal_representative_masked="王李张刘陈杨"[draw.int_between(0, 5)] + "**",
        )  # fmt: skip
