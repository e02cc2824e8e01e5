"""application_prescreen: outcomes by rules and cut-offs, consent and provider failures, idempotency, the stored
record; decision_replay under the stored versions; append-only records; submit → task → decision."""

from __future__ import annotations

from decimal import Decimal

import pytest

from loancrm.applications.choices import Status
from loancrm.applications.models import Application
from loancrm.core.errors import ValidationFailed
from loancrm.core.models import AuditEvent
from loancrm.decisioning import services
from loancrm.decisioning.errors import DecisionImmutable, NotReadyForPrescreen
from loancrm.decisioning.models import Decision, DecisionReplay
from loancrm.decisioning.tests.conftest import CLEAN, SEVERE
from loancrm.externaldata.models import ExternalQuery, QueryStatus
from loancrm.externaldata.providers import ProviderUnavailable
from loancrm.rules.models import RuleAction
from loancrm.rules.services import rule_save, rule_set_new_version, rule_set_publish

D = Decimal
pytestmark = pytest.mark.django_db


def statuses(application_id: int) -> list[tuple[str, str]]:
    rows = Application.objects.get(pk=application_id).status_changes.order_by("changed_at", "id")
    return list(rows.values_list("from_status", "to_status"))


def test_a_clean_applicant_above_the_cut_off_is_auto_approved_with_the_full_record(
    provider, bind, customer_in, submitted, rule_set, scorecard
):
    version = bind(auto_approve=0, reject_below=-100)
    application = submitted(customer_in(CLEAN), version)

    decision = services.application_prescreen(application_id=application.pk)

    assert decision.outcome == "auto_approved" and decision.reasons == []
    assert decision.rules_outcome == "approve"
    assert (decision.rule_set, decision.rule_set_version) == (rule_set, 1)
    assert (decision.scorecard, decision.scorecard_version) == (scorecard, 1)
    assert decision.cutoffs == {"auto_approve": 0, "reject_below": -100}
    assert [r["code"] for r in decision.rule_results] == [rule.code for rule in rule_set.rules.order_by("position")]
    assert decision.score == scorecard.base_score + sum(p["points"] for p in decision.score_points)
    assert [p["feature"] for p in decision.score_points] == list(scorecard.features.values_list("name", flat=True))
    assert decision.suggested_limit is not None and decision.suggested_rate is not None
    snapshot = decision.input_snapshot
    assert snapshot["inputs"]["application"]["amount"] == "50000.00"
    assert snapshot["derived"]["first_instalment"] == "4498.77"
    assert sorted(q["kind"] for q in snapshot["queries"]) == ["blacklist", "bureau", "court", "multi_lending"]
    assert {q["id"] for q in snapshot["queries"]} == set(ExternalQuery.objects.values_list("pk", flat=True))
    assert all(q["completed_at"] for q in snapshot["queries"])
    application.refresh_from_db()
    assert application.status == Status.AUTO_APPROVED and application.decided_at is not None
    assert statuses(application.pk)[-2:] == [("submitted", "pre_screening"), ("pre_screening", "auto_approved")]
    event = AuditEvent.objects.get(action="decisioning.decided")
    assert event.data["decision"] == decision.pk and event.data["outcome"] == "auto_approved"
    assert (application.approved_amount, application.approved_annual_rate) == (
        decision.suggested_limit,
        decision.suggested_rate,
    )
    assert (application.approved_term_months, application.approved_method) == (12, "equal_installment")
    assert AuditEvent.objects.get(action="application.credit_approved").data["amount"] == str(decision.suggested_limit)


def test_a_score_between_the_cut_offs_goes_to_manual_review(provider, bind, customer_in, submitted):
    application = submitted(customer_in(CLEAN), bind(auto_approve=2000, reject_below=-2000))

    decision = services.application_prescreen(application_id=application.pk)

    assert (decision.outcome, decision.reasons) == ("manual_review", ["SCORE_IN_REVIEW_BAND"])
    assert Application.objects.get(pk=application.pk).status == Status.MANUAL_REVIEW


def test_a_score_below_the_reject_cut_off_is_rejected(provider, bind, customer_in, submitted):
    application = submitted(customer_in(CLEAN), bind(auto_approve=2000, reject_below=2000))

    decision = services.application_prescreen(application_id=application.pk)

    assert (decision.outcome, decision.reasons) == ("rejected", ["SCORE_BELOW_CUTOFF"])
    assert (decision.suggested_limit, decision.suggested_rate) == (None, None)


def test_a_rule_reject_rejects_and_the_score_is_still_recorded(provider, bind, customer_in, submitted):
    application = submitted(customer_in(SEVERE), bind(auto_approve=0, reject_below=-100))

    decision = services.application_prescreen(application_id=application.pk)

    assert decision.rules_outcome == "reject" and decision.outcome == "rejected"
    assert "R03_COURT" in decision.reasons
    assert decision.score is not None and decision.score_points
    assert Application.objects.get(pk=application.pk).status == Status.REJECTED


def test_without_consent_no_provider_is_asked_and_the_application_goes_to_manual_review(
    provider, bind, customer_in, submitted
):
    application = submitted(customer_in(CLEAN, consent=False), bind(auto_approve=-1000, reject_below=-2000))

    decision = services.application_prescreen(application_id=application.pk)

    assert decision.outcome == "manual_review"
    assert decision.reasons[0] == "NO_CREDIT_CONSENT" and "BUREAU_DATA_MISSING" in decision.reasons
    assert provider.calls == 0
    assert list(ExternalQuery.objects.values_list("status", flat=True)) == [QueryStatus.REFUSED_NO_CONSENT]
    assert decision.input_snapshot["queries"] == []


def test_a_provider_failure_sends_the_application_to_manual_review(monkeypatch, provider, bind, customer_in, submitted):
    monkeypatch.setattr("loancrm.externaldata.services.time.sleep", lambda seconds: None)
    provider.fail_first, provider.failure = 3, ProviderUnavailable  # every attempt at the bureau fails
    application = submitted(customer_in(CLEAN), bind(auto_approve=-1000, reject_below=-2000))

    decision = services.application_prescreen(application_id=application.pk)

    assert decision.outcome == "manual_review"
    assert decision.reasons[:2] == ["EXTERNAL_DATA_UNAVAILABLE", "BUREAU_DATA_MISSING"]
    assert sorted(q["kind"] for q in decision.input_snapshot["queries"]) == ["blacklist", "court", "multi_lending"]


def test_prescreen_is_idempotent(provider, bind, customer_in, submitted):
    application = submitted(customer_in(CLEAN), bind())
    first = services.application_prescreen(application_id=application.pk)
    calls = provider.calls

    again = services.application_prescreen(application_id=application.pk)

    assert again.pk == first.pk and Decision.objects.count() == 1
    assert provider.calls == calls
    assert AuditEvent.objects.filter(action="decisioning.decided").count() == 1


def test_a_draft_cannot_be_prescreened_and_nothing_is_written(people, provider, bind, customer_in):
    from loancrm.applications.tests.factories import make_application

    draft = make_application(people["agent"], customer_in(CLEAN), bind())

    with pytest.raises(NotReadyForPrescreen):
        services.application_prescreen(application_id=draft.pk)
    assert not Decision.objects.exists() and not ExternalQuery.objects.exists()
    assert Application.objects.get(pk=draft.pk).status == Status.DRAFT


def test_a_decision_refuses_save_and_delete(provider, bind, customer_in, submitted):
    decision = services.application_prescreen(application_id=submitted(customer_in(CLEAN), bind()).pk)
    recorded = decision.outcome
    decision.outcome = "rejected" if recorded != "rejected" else "auto_approved"

    with pytest.raises(DecisionImmutable):
        decision.save()
    with pytest.raises(DecisionImmutable):
        decision.delete()
    assert Decision.objects.get(pk=decision.pk).outcome == recorded


def test_replay_under_the_stored_versions_matches_even_after_a_new_rule_set_version(
    people, provider, bind, customer_in, submitted, rule_set
):
    version = bind(auto_approve=0, reject_below=-100)
    decision = services.application_prescreen(application_id=submitted(customer_in(CLEAN), version).pk)
    assert decision.outcome == "auto_approved"
    stricter = rule_set_new_version(source=rule_set)
    rule_save(rule_set=stricter, code="everyone", expression="age > 0", action=RuleAction.REJECT,
              reason_code="R99_EVERYONE")  # fmt: skip
    with pytest.raises(ValidationFailed) as refused:
        rule_set_publish(rule_set=stricter)  # decisions exist: the draft must be backtested first
    assert refused.value.code == "backtest_required"
    backtest = services.rule_set_backtest_run(rule_set_id=stricter.pk, n=50, actor=people["director"])
    assert backtest.report["outcomes_after"] == {"reject": 1}
    rule_set_publish(rule_set=stricter)
    bind(auto_approve=0, reject_below=-100)  # the product's current version could use the stricter rules …
    current = services.pipeline.run(
        decision.input_snapshot["inputs"], services.rules_of(stricter), services.scorecard_card(decision.scorecard)
    )
    assert current.result.outcome == "rejected"  # … under which the same inputs would now be rejected

    replay = services.decision_replay(decision_id=decision.pk, actor=people["director"])

    assert replay.same_outcome is True and replay.differences == []
    assert replay.result["outcome"] == "auto_approved" and replay.result["score"] == decision.score
    assert replay.actor == people["director"]
    event = AuditEvent.objects.get(action="decisioning.replayed")
    assert event.data == {"decision": decision.pk, "replay": replay.pk, "same": True, "differences": []}


def test_replay_reports_each_difference(people, provider, bind, customer_in, submitted):
    decision = services.application_prescreen(application_id=submitted(customer_in(CLEAN), bind()).pk)
    Decision.objects.filter(pk=decision.pk).update(score=1, outcome="rejected")  # a tampered record

    replay = services.decision_replay(decision_id=decision.pk, actor=people["director"])

    assert replay.same_outcome is False
    assert [d["field"] for d in replay.differences] == ["outcome", "score"]
    assert replay.differences[1]["recorded"] == 1 and replay.differences[1]["replayed"] == decision.score
    assert DecisionReplay.objects.count() == 1


def test_submit_runs_the_prescreen_task_after_commit(
    people, provider, bind, customer_in, django_capture_on_commit_callbacks
):
    from loancrm.applications.services import application_submit
    from loancrm.applications.tests.factories import make_application

    application = make_application(people["agent"], customer_in(CLEAN), bind(auto_approve=0, reject_below=-100))

    with django_capture_on_commit_callbacks(execute=True):
        application_submit(actor=people["agent"], application_id=application.pk)

    decision = Decision.objects.get(application=application)
    assert decision.outcome == "auto_approved" and decision.actor_repr == "system"
    assert Application.objects.get(pk=application.pk).status == Status.AUTO_APPROVED


def test_an_application_without_a_rule_set_goes_to_manual_review(provider, customer_in, submitted, scorecard):
    from loancrm.applications.tests.factories import make_version

    version = make_version(scorecard=scorecard, auto_approve_score=0, reject_below_score=-100)
    decision = services.application_prescreen(application_id=submitted(customer_in(CLEAN), version).pk)

    assert (decision.outcome, decision.reasons, decision.rule_set) == ("manual_review", ["NO_RULE_SET"], None)


def test_an_edit_after_the_backtest_needs_a_new_one(people, provider, bind, customer_in, submitted, rule_set):
    services.application_prescreen(application_id=submitted(customer_in(CLEAN), bind()).pk)
    draft = rule_set_new_version(source=rule_set)
    services.rule_set_backtest_run(rule_set_id=draft.pk, actor=people["director"])
    rule_save(rule_set=draft, code="young", expression="age < 20", action=RuleAction.REJECT, reason_code="R98")

    with pytest.raises(ValidationFailed) as refused:
        rule_set_publish(rule_set=draft)

    assert refused.value.code == "backtest_required"
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_recent_decisions_feed_the_rule_test_panel_and_the_api_outcome(people, provider, bind, customer_in, submitted):
    from loancrm.applications.outcome import decision_outcome
    from loancrm.rules import test_contexts

    decision = services.application_prescreen(application_id=submitted(customer_in(CLEAN), bind()).pk)
    key = f"decision:{decision.pk}"

    assert key in dict(test_contexts.available_contexts(people["director"]))
    assert key not in dict(test_contexts.available_contexts(people["agent"]))
    assert test_contexts.context_for(key, people["director"])["age"] == decision.input_snapshot["context"]["age"]
    with pytest.raises(KeyError):
        test_contexts.context_for(key, people["agent"])
    assert decision_outcome(decision.application) == {
        "outcome": decision.outcome, "reasons": decision.reasons, "score": decision.score,
    }  # fmt: skip


def test_the_education_declared_on_the_application_is_what_is_scored(people, provider, bind, customer_in, submitted):
    decision = services.application_prescreen(
        application_id=submitted(customer_in(CLEAN), bind(), education="master").pk
    )

    assert decision.input_snapshot["inputs"]["customer"]["education"] == "master"
    assert {p["feature"]: p["value"] for p in decision.score_points}["education"] == "硕士及以上"
