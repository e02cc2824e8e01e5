"""Fixtures of the jobs tests: temporarily registered jobs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from loancrm.jobs.registry import REGISTRY, batch_job


@pytest.fixture
def register_job() -> Iterator[Callable[..., Callable[[Callable[..., Any]], Any]]]:
    """``register_job(name, **options)(function)``: a job registered for this test only."""
    added: list[str] = []

    def register(name: str, **options: Any) -> Callable[[Callable[..., Any]], Any]:
        added.append(name)
        return batch_job(name, name.title(), **options)

    yield register
    for name in added:
        REGISTRY.pop(name, None)
