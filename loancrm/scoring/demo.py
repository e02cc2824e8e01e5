"""Demo scorecard: trained on ``DEMO_ROWS`` synthetic historical applications and published, once.

Idempotent: nothing is done when a published scorecard named ``DEMO_NAME`` exists.
"""

from __future__ import annotations

from loancrm.scoring.models import Scorecard, ScorecardStatus
from loancrm.scoring.services import scorecard_publish, scorecard_train
from loancrm.scoring.synthetic import generate

DEMO_NAME = "demo-retail"
DEMO_ROWS = 5_000
DEMO_SEED = 2026


def seed() -> list[str]:
    if Scorecard.objects.filter(name=DEMO_NAME, status=ScorecardStatus.PUBLISHED).exists():
        return []
    scorecard, _report = scorecard_train(rows=generate(DEMO_ROWS, seed=DEMO_SEED), target="bad", name=DEMO_NAME)
    scorecard_publish(scorecard=scorecard)
    return []
