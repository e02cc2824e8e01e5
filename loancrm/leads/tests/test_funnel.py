"""Funnel: reached counts along the main path (skips count as passed), conversion, median time in stage, scope."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from loancrm.accounts.tests.factories import make_user
from loancrm.leads.choices import Stage
from loancrm.leads.models import Channel, LeadStageChange
from loancrm.leads.pipeline import lead_stage_change
from loancrm.leads.selectors import funnel_for
from loancrm.leads.services import lead_intake

PATHS = [
    [],
    [Stage.CONTACTED, Stage.INTERESTED, Stage.PREPARING, Stage.APPLIED, Stage.DISBURSED],
    [Stage.CONTACTED, Stage.INTERESTED, Stage.APPLIED],
    [Stage.CONTACTED, Stage.REJECTED],
]


@pytest.fixture
def pipeline(org):
    """Four leads of two agents (round-robin) moved along PATHS; leaving "new" took 1, 2 and 4 hours."""
    agents = [make_user(name, role="sales_agent", unit=org.bj_team1, full_name=name.title()) for name in ("amy", "bob")]
    Channel.objects.create(code="baidu", name="百度", team=org.bj_team1)
    leads = [lead_intake(data={"channel": "baidu", "mobile": f"1370000000{i}"}).lead for i in range(4)]
    for lead, path in zip(leads, PATHS, strict=True):
        for stage in path:
            system = stage in (Stage.APPLIED, Stage.DISBURSED)
            lead_stage_change(actor=None if system else lead.owner, lead_id=lead.pk, stage=stage, system=system,
                              reason="利率太高" if stage == Stage.REJECTED else "")  # fmt: skip
    for hours, lead in zip((1, 2, 4), leads[1:], strict=True):
        move = LeadStageChange.objects.get(lead=lead, from_stage=Stage.NEW)
        move.changed_at = move.entered_from_at + timedelta(hours=hours)
        move.save()
    return agents, leads


def test_overall_funnel(pipeline):
    admin = make_user("admin", role="administrator")
    (row,) = funnel_for(admin)
    assert [f.reached for f in row.stages] == [4, 3, 2, 2, 2, 1]
    assert [None if f.conversion is None else round(f.conversion, 4) for f in row.stages] == [
        None, 0.75, 0.6667, 1.0, 1.0, 0.5
    ]  # fmt: skip
    assert row.rejected == 1 and row.total == 4 and row.overall_conversion == 0.25
    assert row.stages[0].median_hours == 2.0


def test_by_agent_and_scope(pipeline, org):
    _agents, leads = pipeline
    admin = make_user("admin", role="administrator")
    rows = {row.key: row for row in funnel_for(admin, dimension="agent")}
    assert {key: row.total for key, row in rows.items()} == {"Amy": 2, "Bob": 2}
    assert sum(row.stages[-1].reached for row in rows.values()) == 1
    own = leads[0].owner
    (mine,) = funnel_for(own)
    assert mine.total == 2
    outsider = make_user("sh", role="sales_agent", unit=org.sh_team1)
    assert funnel_for(outsider) == []


def test_funnel_page_and_api(pipeline):
    admin = make_user("admin", role="administrator")
    client = Client()
    client.force_login(admin)
    page = client.get("/leads/funnel/?dimension=channel").content.decode()
    assert 'data-chart="funnel-options"' in page and "百度" in page and "75.0%" in page
    bad = client.get("/leads/funnel/?start=2026-02-01&end=2026-01-01").content.decode()
    assert "开始日期晚于结束日期" in bad
    data = client.get("/api/v1/leads/funnel?dimension=agent").json()
    assert sorted(row["key"] for row in data) == ["Amy", "Bob"]
    assert client.get("/api/v1/leads/funnel?dimension=nope").status_code == 422
