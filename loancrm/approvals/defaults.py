"""The default approval policy and authority limits (data only, no Django import).

Amount bands (the reviewer's approved amount, inclusive ceilings):

- ≤ 50,000: the reviewer's opinion is the whole approval (no step);
- ≤ 200,000: credit supervisor (信审主管);
- ≤ 1,000,000: credit supervisor → credit director (信贷总监);
- above: credit supervisor → credit director → loan committee vote (贷审会, ≥ 2/3 of the loan_committee role holders,
  quorum 2).

High risk (the automated decision's risk level "high") adds the **risk and compliance countersign** (风险合规会签):
the credit director and the compliance officer must both approve. Below 200,000 it is added after the band's
chain; from 200,000 up it takes the place of the director's single step (the director signs in the countersign), so
no one is asked twice; in the top band the committee still votes last.

Authority limits (授权额度): supervisor 200,000, director 1,000,000, committee unlimited. They apply to the
approval that completes the route (a supervisor may pass a 600,000 case up the chain, not approve it finally).
"""

from __future__ import annotations

from typing import Any

SUPERVISOR: dict[str, Any] = {"kind": "single", "role": "credit_supervisor", "label": "信审主管审批", "sla_hours": 24}
DIRECTOR: dict[str, Any] = {"kind": "single", "role": "credit_director", "label": "信贷总监审批", "sla_hours": 24}
COUNTERSIGN: dict[str, Any] = {
    "kind": "countersign",
    "label": "风险合规会签",
    "approvers": [{"role": "credit_director"}, {"role": "compliance_officer"}],
    "sla_hours": 24,
}
COMMITTEE: dict[str, Any] = {
    "kind": "vote",
    "label": "贷审会表决",
    "approvers": [{"role": "loan_committee"}],
    "threshold": "2/3",
    "quorum": 2,
    "sla_hours": 72,
}

DEFAULT_ROUTES: list[dict[str, Any]] = [
    {"code": "H50K", "label": "高风险 · 5万以下", "max_amount": "50000.00", "risk_levels": ["high"],
     "steps": [COUNTERSIGN]},
    {"code": "H200K", "label": "高风险 · 20万以下", "max_amount": "200000.00", "risk_levels": ["high"],
     "steps": [SUPERVISOR, COUNTERSIGN]},
    {"code": "H1M", "label": "高风险 · 100万以下", "max_amount": "1000000.00", "risk_levels": ["high"],
     "steps": [SUPERVISOR, COUNTERSIGN]},
    {"code": "HTOP", "label": "高风险 · 100万以上", "max_amount": None, "risk_levels": ["high"],
     "steps": [SUPERVISOR, COUNTERSIGN, COMMITTEE]},
    {"code": "R50K", "label": "5万以下 · 信审员终审", "max_amount": "50000.00", "risk_levels": [], "steps": []},
    {"code": "R200K", "label": "20万以下", "max_amount": "200000.00", "risk_levels": [], "steps": [SUPERVISOR]},
    {"code": "R1M", "label": "100万以下", "max_amount": "1000000.00", "risk_levels": [],
     "steps": [SUPERVISOR, DIRECTOR]},
    {"code": "RTOP", "label": "100万以上 · 贷审会", "max_amount": None, "risk_levels": [],
     "steps": [SUPERVISOR, DIRECTOR, COMMITTEE]},
]  # fmt: skip

# role code → maximum amount (None: unlimited)
DEFAULT_LIMITS: dict[str, str | None] = {
    "credit_supervisor": "200000.00",
    "credit_director": "1000000.00",
    "loan_committee": None,
}
