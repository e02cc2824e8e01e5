"""Automated decisions: the pre-screen of a submitted application, its replay, and rule-set backtests.

``application_prescreen`` first asks ``externaldata`` for the customer's bureau, multi-lending, court and
blacklist data (outside any transaction: a provider call never holds a row lock; answers are cached). Without a
credit-bureau consent no provider is asked and the application goes to manual review (``NO_CREDIT_CONSENT``); a
provider failure likewise (``EXTERNAL_DATA_UNAVAILABLE``) — never an approval on defaults. Then, in one
transaction with the application row locked: submitted → pre-screening, the snapshot, ``pipeline.run`` with the
product version's rule set and scorecard, the ``Decision``, the move to auto-approved / manual review / rejected
and the audit events. A second call for an application that has a decision returns that decision.

``decision_replay`` rebuilds the features from the stored snapshot and evaluates them under the stored rule-set
and scorecard versions (never the product's current ones) and the stored cut-offs, compares outcome, score,
reasons and per-feature points (and the rules outcome, limit, rate and context), and records a
``DecisionReplay``. ``rule_set_backtest_run`` evaluates a (draft) rule set on the last N decisions' stored
contexts against their recorded rules outcomes and records a ``RuleSetBacktest`` with the hash of the rules it
ran; ``backtest_recorded`` tells whether such a backtest exists for the rule set as it is now.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from loancrm.applications import lifecycle
from loancrm.applications.choices import Status
from loancrm.applications.models import Application
from loancrm.applications.services import application_set_status
from loancrm.compliance.services import ConsentRequired
from loancrm.core.audit import audit_event
from loancrm.core.errors import NotFound, ValidationFailed
from loancrm.decisioning import pipeline
from loancrm.decisioning.errors import NotReadyForPrescreen
from loancrm.decisioning.models import Decision, DecisionReplay, RuleSetBacktest
from loancrm.externaldata.models import ExternalQuery, Kind, QueryStatus
from loancrm.externaldata.services import ExternalDataUnavailable, customer_consent, external_fetch
from loancrm.rules import engine
from loancrm.rules import services as rule_services
from loancrm.rules.models import RuleSet, RuleSetStatus
from loancrm.scoring.models import Scorecard, ScorecardStatus
from loancrm.scoring.services import card_of
from loancrm.scoring.training import Card

EXTERNAL_KINDS = (Kind.BUREAU, Kind.MULTI_LENDING, Kind.COURT, Kind.BLACKLIST)
CACHE_MAX_AGE = dt.timedelta(days=30)  # as externaldata's default: a stored answer younger than this is reused
BACKTEST_MAX = 5000
COMPARED = ("outcome", "score", "reasons", "points", "rules_outcome", "limit", "rate", "context")

# Called inside the decision's transaction with the id of each application the decision sends to manual review
# (credit review registers the opening of its case here).
_on_manual_review: list[Any] = []


def on_manual_review(callback: Any) -> None:
    if callback not in _on_manual_review:
        _on_manual_review.append(callback)


# Published rule sets and scorecards never change, so their pure forms are built once per version (keyed by id and
# publication time, so a reused id — a test database rolled back — never finds another version's entry).
_rules_cache: dict[tuple[int, Any], list[engine.RuleSpec]] = {}
_card_cache: dict[tuple[int, Any], Card] = {}


def rules_of(rule_set: RuleSet) -> list[engine.RuleSpec]:
    """The rules of ``rule_set`` in position order (cached for a published set)."""
    key = (rule_set.pk, rule_set.published_at)
    if key in _rules_cache:
        return _rules_cache[key]
    rules = [
        engine.RuleSpec(r.code, r.expression, r.action, r.reason_code) for r in rule_set.rules.order_by("position")
    ]
    if rule_set.status == RuleSetStatus.PUBLISHED:
        _rules_cache[key] = rules
    return rules


def scorecard_card(scorecard: Scorecard) -> Card:
    """The pure card of ``scorecard`` (cached for a published one)."""
    key = (scorecard.pk, scorecard.published_at)
    if key in _card_cache:
        return _card_cache[key]
    card = card_of(scorecard)
    if scorecard.status == ScorecardStatus.PUBLISHED:
        _card_cache[key] = card
    return card


def _plain(value: Any) -> Any:
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _query_ref(row: ExternalQuery) -> dict[str, Any]:
    return {
        "kind": row.kind,
        "id": row.pk,
        "provider": row.provider,
        "requested_at": row.requested_at.isoformat(),
        "completed_at": row.completed_at.isoformat() if row.completed_at else None,
    }


def fetch_external(customer: Any) -> tuple[dict[str, Any], list[dict[str, Any]], list[str]]:
    """The customer's external data by kind, the queries used (id, kind, times) and problem codes.

    With a consent in force, the fresh stored answers (``externaldata.services.cached_query``'s rule: the newest
    ``ok`` row within ``CACHE_MAX_AGE``) are read in one query and ``external_fetch`` is called only for the kinds
    without one; without a consent ``external_fetch`` records the refusal.
    """
    external: dict[str, Any] = {}
    queries: list[dict[str, Any]] = []
    problems: list[str] = []
    cached: dict[str, ExternalQuery] = {}
    if customer_consent(customer) is not None:
        fresh = ExternalQuery.objects.filter(
            customer=customer, kind__in=EXTERNAL_KINDS, status=QueryStatus.OK,
            completed_at__gte=timezone.now() - CACHE_MAX_AGE,
        ).order_by("kind", "-completed_at", "-id")  # fmt: skip
        for row in fresh:
            cached.setdefault(row.kind, row)
    for kind in EXTERNAL_KINDS:
        try:
            row = cached[kind] if kind in cached else external_fetch(customer, kind, actor=None, max_age=CACHE_MAX_AGE)
        except ConsentRequired:
            problems.append("NO_CREDIT_CONSENT")
            break
        except ExternalDataUnavailable:
            problems.append("EXTERNAL_DATA_UNAVAILABLE")
            continue
        except ValidationFailed:
            problems.append("NO_ID_NUMBER")
            break
        external[kind] = row.response
        queries.append(_query_ref(row))
    return external, queries, list(dict.fromkeys(problems))


def snapshot_of(application: Application, external: dict[str, Any]) -> dict[str, Any]:
    """The pure snapshot ``features.build`` reads (exact Decimals as strings)."""
    customer = application.customer
    version = application.product_version
    return {
        "decision_date": timezone.localdate().isoformat(),
        "application": {
            "number": application.number,
            "amount": _text(application.amount),
            "term_months": application.term_months,
            "method": application.method,
            "annual_rate": _text(application.annual_rate),
            "monthly_income": _text(application.monthly_income),
            "monthly_debt": _text(application.monthly_debt),
            "employment_years": _text(application.employment_years),
            "housing": application.housing,
            "region": application.region,
            "purpose": application.purpose,
        },
        "customer": {
            "birth_date": customer.birth_date.isoformat() if customer.birth_date else None,
            "education": application.education or customer.education,
            "monthly_income": _text(customer.monthly_income),
            "years_employed": customer.years_employed,
        },
        "product": {
            "code": version.product.code,
            "version": version.version,
            "min_amount": _text(version.min_amount),
            "max_amount": _text(version.max_amount),
            "min_rate": _text(version.min_rate),
            "max_rate": _text(version.max_rate),
            "default_rate": _text(version.default_rate),
            "auto_approve_score": version.auto_approve_score,
            "reject_below_score": version.reject_below_score,
        },
        "external": external,
    }


def _record_of(run: pipeline.Run) -> dict[str, Any]:
    """The comparable figures of a run, as JSON."""
    return _plain(
        {
            "outcome": run.result.outcome,
            "score": run.score,
            "reasons": list(run.result.reasons),
            "flags": list(run.result.flags),
            "points": run.points,
            "rules_outcome": run.rules_outcome,
            "rules": [r.as_dict() for r in run.evaluation.results] if run.evaluation else [],
            "limit": run.result.limit,
            "rate": run.result.rate,
            "context": run.features.context,
        }
    )


def _decision_fields(run: pipeline.Run) -> dict[str, Any]:
    return {
        "rule_results": [r.as_dict() for r in run.evaluation.results] if run.evaluation else [],
        "rules_outcome": run.rules_outcome,
        "score": run.score,
        "score_points": _plain(run.points),
        "outcome": run.result.outcome,
        "reasons": list(run.result.reasons),
        "flags": list(run.result.flags),
        "suggested_limit": run.result.limit,
        "suggested_rate": run.result.rate,
        "elapsed_ms": round(run.elapsed_ms, 3),
    }


def _rules_and_card(
    rule_set: RuleSet | None, scorecard: Scorecard | None
) -> tuple[list[engine.RuleSpec] | None, Card | None]:
    return (rules_of(rule_set) if rule_set else None, scorecard_card(scorecard) if scorecard else None)


def application_prescreen(*, application_id: int, actor: Any = None, request: HttpRequest | None = None) -> Decision:
    """Decide a submitted application automatically (idempotent: an existing decision is returned)."""
    existing = Decision.objects.filter(application_id=application_id).first()
    if existing is not None:
        return existing
    application = (
        Application.objects.select_related(
            "customer", "product_version__product", "product_version__rule_set", "product_version__scorecard"
        )
        .filter(pk=application_id)
        .first()
    )
    if application is None:
        raise NotFound()
    if application.status not in (Status.SUBMITTED, Status.PRE_SCREENING):
        raise NotReadyForPrescreen()
    external, queries, problems = fetch_external(application.customer)
    with transaction.atomic():
        locked = Application.objects.select_for_update(of=("self",)).filter(pk=application_id).first()
        assert locked is not None
        existing = Decision.objects.filter(application_id=application_id).first()
        if existing is not None:
            return existing
        if locked.status == Status.SUBMITTED:
            application_set_status(
                application_id=application_id, status=Status.PRE_SCREENING, actor=actor, reason="automated pre-screen"
            )
        elif locked.status != Status.PRE_SCREENING:
            raise NotReadyForPrescreen()
        version = application.product_version
        rule_set, scorecard = version.rule_set, version.scorecard
        snapshot = snapshot_of(application, external)
        run = pipeline.run(snapshot, *_rules_and_card(rule_set, scorecard), problems=problems)
        decision = Decision.objects.create(
            application_id=application_id,
            input_snapshot=_plain(
                {
                    "inputs": snapshot,
                    "problems": problems,
                    "queries": queries,
                    "context": run.features.context,
                    "row": run.features.row,
                    "derived": run.features.derived,
                }
            ),
            rule_set=rule_set,
            rule_set_version=rule_set.version if rule_set else None,
            scorecard=scorecard,
            scorecard_version=scorecard.version if scorecard else None,
            cutoffs={"auto_approve": version.auto_approve_score, "reject_below": version.reject_below_score},
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            actor_repr=str(actor.get_username()) if getattr(actor, "is_authenticated", False) else "system",
            **_decision_fields(run),
        )
        application_set_status(
            application_id=application_id,
            status=run.result.outcome,
            actor=actor,
            reason=("automated decision: " + ", ".join(run.result.reasons))[:200],
        )
        if run.result.outcome == Status.MANUAL_REVIEW:
            for callback in list(_on_manual_review):
                callback(application_id)
        audit_event(
            actor,
            "decisioning.decided",
            locked,
            {
                "decision": decision.pk,
                "outcome": decision.outcome,
                "score": decision.score,
                "reasons": decision.reasons,
                "rule_set": f"{rule_set}" if rule_set else None,
                "scorecard": f"{scorecard}" if scorecard else None,
                "queries": [q["id"] for q in queries],
            },
            request,
        )
        if decision.outcome == Status.AUTO_APPROVED and decision.suggested_limit and decision.suggested_rate:
            fresh = Application.objects.get(pk=application_id)
            lifecycle.auto_approved_terms_store(
                application=fresh,
                terms=lifecycle.ApprovedTerms(
                    amount=decision.suggested_limit,
                    annual_rate=decision.suggested_rate,
                    term_months=fresh.term_months,
                    method=fresh.method,
                ),
                actor=actor,
            )
    return decision


def replay_run(decision: Decision) -> pipeline.Run:
    """The decision evaluated again from its stored snapshot under its stored versions and cut-offs."""
    stored = decision.input_snapshot
    inputs = dict(stored["inputs"])
    product = dict(inputs.get("product", {}))
    product["auto_approve_score"] = decision.cutoffs.get("auto_approve")
    product["reject_below_score"] = decision.cutoffs.get("reject_below")
    inputs["product"] = product
    rules, card = _rules_and_card(decision.rule_set, decision.scorecard)
    return pipeline.run(inputs, rules, card, problems=stored.get("problems", []))


def stored_record(decision: Decision) -> dict[str, Any]:
    return _plain(
        {
            "outcome": decision.outcome,
            "score": decision.score,
            "reasons": decision.reasons,
            "flags": decision.flags,
            "points": decision.score_points,
            "rules_outcome": decision.rules_outcome,
            "rules": decision.rule_results,
            "limit": decision.suggested_limit,
            "rate": decision.suggested_rate,
            "context": decision.input_snapshot.get("context", {}),
        }
    )


def compare(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    """The compared names whose values differ: ``[{"field", "recorded", "replayed"}]``."""
    return [
        {"field": name, "recorded": before.get(name), "replayed": after.get(name)}
        for name in COMPARED
        if before.get(name) != after.get(name)
    ]


@transaction.atomic
def decision_replay(*, decision_id: int, actor: Any = None, request: HttpRequest | None = None) -> DecisionReplay:
    """Re-evaluate a decision under its stored versions, record the comparison and audit it."""
    decision = Decision.objects.select_related("rule_set", "scorecard", "application").filter(pk=decision_id).first()
    if decision is None:
        raise NotFound()
    replayed = _record_of(replay_run(decision))
    differences = compare(stored_record(decision), replayed)
    user = actor if getattr(actor, "is_authenticated", False) else None
    replay = DecisionReplay.objects.create(
        decision=decision,
        actor=user,
        actor_repr=str(user.get_username()) if user else (actor[:150] if isinstance(actor, str) else "system"),
        same_outcome=not differences,
        result=replayed,
        differences=differences,
    )
    audit_event(
        actor,
        "decisioning.replayed",
        decision.application,
        {"decision": decision.pk, "replay": replay.pk, "same": replay.same_outcome,
         "differences": [d["field"] for d in differences]},
        request,
    )  # fmt: skip
    return replay


def rules_hash(rule_set: RuleSet) -> str:
    """SHA-256 of the rules' (position, code, expression, action, reason code), in position order."""
    rows = list(
        rule_set.rules.order_by("position", "code").values_list("position", "code", "expression", "action",
                                                               "reason_code")
    )  # fmt: skip
    return hashlib.sha256(json.dumps(rows, ensure_ascii=False).encode()).hexdigest()


def backtest_recorded(rule_set: RuleSet) -> bool:
    """Whether a backtest was run on ``rule_set`` as its rules are now (an edit since then needs a new one)."""
    return RuleSetBacktest.objects.filter(rule_set=rule_set, rules_hash=rules_hash(rule_set)).exists()


def latest_backtest(rule_set: RuleSet) -> RuleSetBacktest | None:
    return RuleSetBacktest.objects.filter(rule_set=rule_set).order_by("-created_at", "-id").first()


def _recent(limit: int) -> list[dict[str, Any]]:
    rows = Decision.objects.order_by("-created_at", "-id").values(
        "pk", "application_id", "application__number", "rules_outcome", "input_snapshot__context"
    )[:limit]
    return [
        {"decision": row["pk"], "application_id": row["application_id"], "application": row["application__number"],
         "outcome": row["rules_outcome"], "context": row["input_snapshot__context"]}
        for row in rows
        if row["input_snapshot__context"]
    ]  # fmt: skip


@transaction.atomic
def rule_set_backtest_run(
    *, rule_set_id: int, n: int = 200, actor: Any = None, request: HttpRequest | None = None
) -> RuleSetBacktest:
    """Backtest the rule set on the last ``n`` decisions (their stored contexts and recorded rules outcomes)."""
    rule_set = RuleSet.objects.filter(pk=rule_set_id).first()
    if rule_set is None:
        raise NotFound()
    if not 1 <= n <= BACKTEST_MAX:
        message = _("Enter a value from %(low)s to %(high)s.") % {"low": 1, "high": BACKTEST_MAX}
        raise ValidationFailed(fields={"n": [message]})
    recent = _recent(n)
    if not rule_set.rules.exists():
        raise ValidationFailed(_("The rule set has no rules to backtest."), code="rule_set_empty")
    report = rule_services.backtest(rule_set=rule_set, cases=[(case["context"], case["outcome"]) for case in recent])
    data = report.as_dict()
    for change in data["changed"]:
        case = recent[change["index"]]
        change.update(decision=case["decision"], application=case["application"], application_id=case["application_id"])
    backtest = RuleSetBacktest.objects.create(
        rule_set=rule_set,
        n=n,
        report=data,
        decision_ids=[case["decision"] for case in recent],
        rules_hash=rules_hash(rule_set),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_event(
        actor,
        "decisioning.backtested",
        rule_set,
        {"backtest": backtest.pk, "n": n, "total": report.total, "approval_rate_before": report.approval_rate_before,
         "approval_rate_after": report.approval_rate_after, "changed": len(report.changed)},
        request,
    )  # fmt: skip
    return backtest


def recent_contexts(limit: int = 20) -> list[tuple[str, str, dict[str, Any]]]:
    """(key, label, context) of the most recent decisions, for the rule test panel."""
    labels = {"approve": _("rules passed"), "manual_review": _("manual review"), "reject": _("rejected"),
              "timeout": _("timed out")}  # fmt: skip
    return [
        (
            str(case["decision"]),
            f"{case['application']} · {labels.get(case['outcome'], case['outcome'])}",
            case["context"],
        )
        for case in _recent(limit)
    ]


def prescreen_many(application_ids: Sequence[int], actor: Any = None) -> list[Decision]:
    """Pre-screen each application in turn (a batch entry point for back-fills and the benchmark)."""
    return [application_prescreen(application_id=pk, actor=actor) for pk in application_ids]
