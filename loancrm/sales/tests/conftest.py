from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from loancrm.accounts.tests.factories import make_user
from loancrm.leads.models import Channel, Lead
from loancrm.leads.services import lead_intake


@dataclass
class Team:
    agent: Any
    other_agent: Any
    leader: Any
    outsider: Any
    lead: Lead


@pytest.fixture
def team(org, settings, tmp_path) -> Team:
    """Agent "amy" (Beijing team 1) owns a new lead; "ben" is her team-mate; "lily" leads the team; "sam" is in
    Shanghai. Uploaded files go to a temporary media root."""
    settings.MEDIA_ROOT = tmp_path
    agent = make_user("amy", role="sales_agent", unit=org.bj_team1)
    Channel.objects.create(code="baidu", name="百度", team=org.bj_team1)
    lead = lead_intake(data={"channel": "baidu", "mobile": "13700000001", "name": "张三"}).lead
    assert lead.owner == agent
    other = make_user("ben", role="sales_agent", unit=org.bj_team1)
    leader = make_user("lily", role="sales_lead", unit=org.bj_team1)
    outsider = make_user("sam", role="sales_agent", unit=org.sh_team1)
    return Team(agent, other, leader, outsider, lead)
