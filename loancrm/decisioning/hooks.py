"""What decisioning plugs into other modules (registered in ``DecisioningConfig.ready``).

- rules: publishing a rule set needs a backtest of the draft as it now is, once there are decisions to test it on;
- rules: the test panel may load the context of a recent decision (users who may see decisions);
- applications: the partner API shows the decision's outcome and reason codes.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from loancrm.core.errors import ValidationFailed


def require_backtest(rule_set: Any) -> None:
    """Refuse to publish a draft that was not backtested as it is, unless no decision exists to test it on."""
    from loancrm.decisioning.models import Decision
    from loancrm.decisioning.services import backtest_recorded

    if Decision.objects.exists() and not backtest_recorded(rule_set):
        raise ValidationFailed(
            _("Run a backtest on this draft (after its last change) before publishing it."), code="backtest_required"
        )


def decision_contexts(user: Any) -> list[tuple[str, str, dict[str, Any]]]:
    """Recent decisions' contexts for the rule test panel, keyed ``decision:<id>``."""
    from loancrm.decisioning.services import recent_contexts

    if not getattr(user, "has_perm", None) or not user.has_perm("decisioning.view_decision"):
        return []
    return [(f"decision:{key}", label, context) for key, label, context in recent_contexts(20)]


def decision_outcome(application: Any) -> dict[str, Any] | None:
    from loancrm.decisioning.models import Decision

    decision = Decision.objects.filter(application=application).only("outcome", "reasons", "score").first()
    if decision is None:
        return None
    return {"outcome": decision.outcome, "reasons": list(decision.reasons), "score": decision.score}
