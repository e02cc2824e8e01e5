"""Two simultaneous partner calls with the same external_ref create one customer and one application; the loser
answers as a repeat (200), never a 500 or a duplicate."""

from __future__ import annotations

import json
import threading

import pytest
from django.db import connection, connections
from django.test import Client

from loancrm.applications.models import Application
from loancrm.applications.tests.factories import make_version
from loancrm.applications.tests.test_api import body, partner_auth
from loancrm.customers.models import Customer

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="parallel transactions on unique constraints is a PostgreSQL test"
)


@pytest.mark.django_db(transaction=True)
def test_parallel_first_calls_create_one_application():
    make_version()
    auth = partner_auth("partner_race")
    threads_count = 6
    barrier = threading.Barrier(threads_count)
    answers: list[tuple[int, str]] = []

    def call() -> None:
        try:
            barrier.wait()
            response = Client().post("/api/v1/applications", json.dumps(body()), content_type="application/json",
                                     **auth)  # fmt: skip
            answers.append((response.status_code, response.json().get("number", "")))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=call) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(code for code, _n in answers) == [200] * (threads_count - 1) + [201]
    assert len({number for _c, number in answers}) == 1
    assert Application.objects.count() == 1 and Customer.objects.count() == 1
