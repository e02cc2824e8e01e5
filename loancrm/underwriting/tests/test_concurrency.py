"""Two reviewers claiming the same queued case at the same moment: exactly one wins, the other is refused."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from loancrm.core.errors import DomainError
from loancrm.core.models import AuditEvent
from loancrm.underwriting import services
from loancrm.underwriting.choices import CaseStatus
from loancrm.underwriting.models import ReviewCase

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel transactions: PostgreSQL")


@postgres_only
@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_reviewers_claiming_at_once_one_wins(credit, manual):
    case = services.review_case_open(application_id=manual().pk)
    ReviewCase.objects.filter(pk=case.pk).update(assignee=None)
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def claim(user) -> None:
        try:
            barrier.wait()
            services.review_case_claim(actor=user, case_id=case.pk)
            outcomes[user.username] = "won"
        except DomainError as exc:
            outcomes[user.username] = exc.code
        finally:
            connections.close_all()

    threads = [threading.Thread(target=claim, args=(user,)) for user in (credit.rev1, credit.rev2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes.values())[1] == "won" and list(outcomes.values()).count("won") == 1
    loser = next(v for v in outcomes.values() if v != "won")
    assert loser in ("case_not_queued", "not_found")
    case.refresh_from_db()
    winner = next(name for name, v in outcomes.items() if v == "won")
    assert (case.status, case.assignee.username) == (CaseStatus.CLAIMED, winner)
    assert AuditEvent.objects.filter(action="review_case.claimed").count() == 1
