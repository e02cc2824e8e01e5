"""Concurrent sign-in failures are all counted (no lost update), so lockout cannot be raced past."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.test import Client

from loancrm.accounts.models import LoginThrottle
from loancrm.accounts.tests.factories import make_user

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locking under parallel transactions is a PostgreSQL test"
)


@pytest.mark.django_db(transaction=True)
def test_parallel_failures_are_counted_exactly(settings):
    settings.LOGIN_MAX_FAILURES = 100
    settings.LOGIN_IP_MAX_FAILURES = 1000
    make_user("target")
    threads_count = 8
    barrier = threading.Barrier(threads_count)
    statuses: list[int] = []

    def attempt() -> None:
        try:
            barrier.wait()
            response = Client().post("/accounts/login/", {"username": "target", "password": "wrong-password"})
            statuses.append(response.status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [400] * threads_count
    assert LoginThrottle.objects.get(username="target").failures == threads_count
