"""The pure approval engine: every step kind, route choice and policy validation (no database)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from loancrm.approvals import engine
from loancrm.approvals.defaults import DEFAULT_ROUTES
from loancrm.approvals.engine import (
    APPROVE,
    APPROVED,
    PENDING,
    REFER_BACK,
    REFERRED_BACK,
    REJECT,
    REJECTED,
    Action,
    Approver,
    Person,
    Step,
)

PEOPLE = [
    Person("sup", frozenset({"credit_supervisor"})),
    Person("sup2", frozenset({"credit_supervisor"})),
    Person("dir", frozenset({"credit_director"})),
    Person("comp", frozenset({"compliance_officer"})),
    Person("c1", frozenset({"loan_committee"})),
    Person("c2", frozenset({"loan_committee"})),
    Person("c3", frozenset({"loan_committee"})),
    Person("both", frozenset({"credit_director", "compliance_officer"})),
]
SINGLE = Step("single", (Approver(role="credit_supervisor"),))
OR_SIGN = Step("or_sign", (Approver(role="credit_director"), Approver(user="sup")))
COUNTERSIGN = Step("countersign", (Approver(role="credit_director"), Approver(role="compliance_officer")))
VOTE = Step("vote", (Approver(role="loan_committee"),), threshold=Fraction(2, 3), quorum=2)


def acts(*items: tuple[str, str]) -> list[Action]:
    return [Action(0, who, who, decision) for who, decision in items]


@pytest.mark.parametrize(
    ("step", "actions", "outcome", "may_act", "tally"),
    [
        (SINGLE, [], PENDING, {"sup", "sup2"}, (0, 0, 1)),
        (SINGLE, acts(("sup", APPROVE)), APPROVED, set(), (1, 0, 1)),
        (SINGLE, acts(("sup2", REJECT)), REJECTED, set(), (0, 1, 1)),
        (SINGLE, acts(("sup", REFER_BACK)), REFERRED_BACK, set(), (0, 0, 1)),
        (OR_SIGN, [], PENDING, {"dir", "both", "sup"}, (0, 0, 1)),
        (OR_SIGN, acts(("sup", APPROVE)), APPROVED, set(), (1, 0, 1)),
        (OR_SIGN, acts(("both", REJECT)), REJECTED, set(), (0, 1, 1)),
        (COUNTERSIGN, [], PENDING, {"dir", "comp", "both"}, (0, 0, 2)),
        (COUNTERSIGN, acts(("dir", APPROVE)), PENDING, {"comp", "both"}, (1, 0, 2)),
        (COUNTERSIGN, acts(("dir", APPROVE), ("comp", APPROVE)), APPROVED, set(), (2, 0, 2)),
        (COUNTERSIGN, acts(("both", APPROVE)), PENDING, {"comp"}, (1, 0, 2)),  # one person fills one slot
        (COUNTERSIGN, acts(("dir", APPROVE), ("comp", REJECT)), REJECTED, set(), (1, 1, 2)),
        (VOTE, [], PENDING, {"c1", "c2", "c3"}, (0, 0, 2)),
        (VOTE, acts(("c1", APPROVE)), PENDING, {"c2", "c3"}, (1, 0, 2)),
        (VOTE, acts(("c1", APPROVE), ("c2", APPROVE)), APPROVED, set(), (2, 0, 2)),
        (VOTE, acts(("c1", APPROVE), ("c2", REJECT)), PENDING, {"c3"}, (1, 1, 2)),
        (VOTE, acts(("c1", APPROVE), ("c2", REJECT), ("c3", REJECT)), REJECTED, set(), (1, 2, 2)),
        (VOTE, acts(("c1", REJECT), ("c2", REJECT)), REJECTED, set(), (0, 2, 2)),  # 2/3 can no longer be met
        (VOTE, acts(("c1", APPROVE), ("c2", REJECT), ("c3", APPROVE)), APPROVED, set(), (2, 1, 2)),
    ],
)
def test_step_state(step, actions, outcome, may_act, tally):
    state = engine.step_state(0, step, actions, PEOPLE)

    assert state.outcome == outcome
    assert state.may_act == may_act
    assert (state.approvals, state.rejections, state.required) == tally
    assert state.complete is (outcome != PENDING)


@pytest.mark.parametrize(
    ("threshold", "quorum", "yes", "no", "outcome"),
    [
        ("1/2", 1, 2, 0, APPROVED),  # ceil(1.5) = 2
        ("1/2", 1, 1, 2, REJECTED),
        ("1/2", 3, 2, 0, PENDING),  # threshold met, quorum of 3 not yet
        ("1/2", 3, 2, 1, APPROVED),
        ("1", 1, 2, 0, PENDING),
        ("1", 1, 2, 1, REJECTED),
        ("1", 1, 3, 0, APPROVED),
    ],
)
def test_vote_threshold_and_quorum(threshold, quorum, yes, no, outcome):
    step = Step("vote", (Approver(role="loan_committee"),), threshold=Fraction(threshold), quorum=quorum)
    voters = ["c1", "c2", "c3"]
    actions = acts(*[(v, APPROVE) for v in voters[:yes]], *[(v, REJECT) for v in voters[yes : yes + no]])

    assert engine.step_state(0, step, actions, PEOPLE).outcome == outcome


def test_a_vote_without_enough_members_is_blocked_not_rejected():
    step = Step("vote", (Approver(role="loan_committee"),), threshold=Fraction(2, 3), quorum=4)

    state = engine.step_state(0, step, [], PEOPLE)

    assert (state.outcome, state.blocked) == (PENDING, True)


def test_a_route_moves_step_by_step_and_reports_the_current_one():
    steps = [SINGLE, COUNTERSIGN, VOTE]
    actions = [Action(0, "sup", "sup", APPROVE), Action(1, "dir", "dir", APPROVE)]

    state = engine.evaluate(steps, actions, PEOPLE)

    assert (state.outcome, state.current_step, state.may_act) == (PENDING, 1, {"comp", "both"})
    actions += [Action(1, "comp", "comp", APPROVE), Action(2, "c1", "c1", APPROVE), Action(2, "c3", "c3", APPROVE)]
    assert engine.evaluate(steps, actions, PEOPLE).outcome == APPROVED
    assert engine.evaluate([], [], PEOPLE) == engine.CaseState(APPROVED, None, ())


@pytest.mark.parametrize(
    ("actor", "principal", "actions", "expected"),
    [
        ("sup", "sup", [], None),
        ("dir", "dir", [], engine.NOT_AN_APPROVER),
        ("sup", "sup", [Action(0, "sup", "sup", APPROVE)], engine.NOT_PENDING),
        ("sup2", "sup", [], None),  # a delegate acting for the supervisor
        ("sup2", "sup2", [Action(0, "sup2", "sup", REFER_BACK)], engine.NOT_PENDING),
    ],
)
def test_check_action_single(actor, principal, actions, expected):
    assert engine.check_action([SINGLE], actions, PEOPLE, actor=actor, principal=principal) == expected


@pytest.mark.parametrize(
    ("actor", "principal", "expected"),
    [
        ("c1", "c1", engine.ALREADY_ACTED),  # the same person votes twice
        ("c1", "c2", engine.ALREADY_ACTED),  # … or again for someone else
        ("c2", "c1", engine.ALREADY_ACTED),  # a seat is decided once
        ("c2", "c2", None),
        ("dir", "dir", engine.NOT_AN_APPROVER),
    ],
)
def test_one_decision_per_person_and_seat_per_step(actor, principal, expected):
    actions = [Action(0, "c1", "c1", APPROVE)]

    assert engine.check_action([VOTE], actions, PEOPLE, actor=actor, principal=principal) == expected


@pytest.mark.parametrize(
    ("amount", "risk", "route"),
    [
        ("50000.00", "low", "R50K"),
        ("50000.01", "medium", "R200K"),
        ("200000.00", "low", "R200K"),
        ("1000000.00", "low", "R1M"),
        ("1000000.01", "low", "RTOP"),
        ("30000.00", "high", "H50K"),
        ("150000.00", "high", "H200K"),
        ("800000.00", "high", "H1M"),
        ("5000000.00", "high", "HTOP"),
    ],
)
def test_default_policy_routes(amount, risk, route):
    routes = engine.parse_routes(DEFAULT_ROUTES)

    assert engine.choose_route(routes, Decimal(amount), risk).code == route


def test_default_policy_step_shapes():
    by_code = {r.code: [s.kind for s in r.steps] for r in engine.parse_routes(DEFAULT_ROUTES)}

    assert by_code == {
        "H50K": ["countersign"], "H200K": ["single", "countersign"], "H1M": ["single", "countersign"],
        "HTOP": ["single", "countersign", "vote"], "R50K": [], "R200K": ["single"], "R1M": ["single", "single"],
        "RTOP": ["single", "single", "vote"],
    }  # fmt: skip


def test_routes_round_trip_through_their_dict_form():
    routes = engine.parse_routes(DEFAULT_ROUTES)

    assert engine.parse_routes([r.as_dict() for r in routes]) == routes


@pytest.mark.parametrize(
    ("routes", "problems"),
    [
        ([], [("routes", "routes_missing")]),
        ([{"code": "A", "max_amount": "100", "steps": []}], [("routes", "no_catch_all")]),
        ([{"code": "A", "steps": [{"kind": "sequential"}]}], [("routes[0].steps[0].kind", "unknown_kind")]),
        ([{"code": "A", "steps": [{"kind": "single", "role": "ceo"}]}], [("routes[0].steps[0]", "unknown_role")]),
        ([{"code": "A", "steps": [{"kind": "single"}]}], [("routes[0].steps[0]", "approver_shape")]),
        (
            [{"code": "A", "steps": [{"kind": "countersign", "approvers": [{"role": "credit_director"}]}]}],
            [("routes[0].steps[0].approvers", "countersign_needs_two")],
        ),
        (
            [
                {
                    "code": "A",
                    "steps": [
                        {"kind": "vote", "approvers": [{"role": "loan_committee"}], "threshold": "3/2", "quorum": 0}
                    ],
                }
            ],
            [("routes[0].steps[0].threshold", "threshold_invalid"), ("routes[0].steps[0].quorum", "quorum_invalid")],
        ),
        (
            [{"code": "A", "max_amount": "-1", "risk_levels": ["extreme"], "steps": []}, {"code": "A"}],
            [
                ("routes[0].max_amount", "amount_invalid"),
                ("routes[0].risk_levels", "risk_invalid"),
                ("routes[1].code", "code_twice"),
            ],
        ),
        (
            [{"code": "A", "steps": [{"kind": "single", "role": "credit_supervisor", "sla_hours": 0}]}],
            [("routes[0].steps[0].sla_hours", "sla_invalid")],
        ),
        ([{"code": "A", "colour": "red"}], [("routes[0].colour", "unknown_field")]),
    ],
)
def test_policy_validation_lists_every_problem_with_its_path(routes, problems):
    roles = {"credit_supervisor", "credit_director", "loan_committee", "compliance_officer"}
    with pytest.raises(engine.PolicyInvalid) as caught:
        engine.parse_routes(routes, roles=roles)

    assert [(p.path, p.code) for p in caught.value.problems] == problems
