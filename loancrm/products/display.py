"""How a version's terms read on the pages: labelled rows (rates as percentages), and the difference of two versions.

Presentation only (no writes, no checks): the read-only version page, the publish confirmation and the catalogue
list all show terms through ``term_rows`` so they read the same everywhere.
"""

from __future__ import annotations

from decimal import Decimal
from itertools import permutations
from typing import Any

from django.utils.translation import gettext_lazy as _

from loancrm.core.money import format_money
from loancrm.loans.allocation import COMPONENTS
from loancrm.loans.choices import RepaymentMethod

DOCUMENT_LABELS: dict[str, Any] = {
    "id_front": _("ID card (front)"),
    "id_back": _("ID card (back)"),
    "bank_card": _("Bank card"),
    "credit_report": _("Credit report"),
    "income_proof": _("Proof of income"),
    "social_security": _("Social security record"),
    "provident_fund": _("Housing provident fund record"),
}
FEE_KIND_LABELS: dict[str, Any] = {"one_off": _("One-off"), "periodic": _("Every instalment")}
COMPONENT_LABELS: dict[str, Any] = {
    "fee": _("Fees"),
    "penalty": _("Penalty interest"),
    "interest": _("Interest"),
    "principal": _("Principal"),
}


def percent_text(fraction: Decimal | str | None) -> str:
    """A rate fraction as a percentage without trailing zeros: ``0.144000`` → ``"14.4"``."""
    if fraction is None or fraction == "":
        return ""
    value = (Decimal(fraction) * 100).quantize(Decimal("0.0001"))
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def order_label(order: str) -> str:
    return " → ".join(str(COMPONENT_LABELS.get(part.strip(), part.strip())) for part in order.split(",") if part)


def order_choices() -> list[tuple[str, str]]:
    """Every allocation order (the default first), labelled by component names."""
    orders = [",".join(p) for p in permutations(str(c) for c in COMPONENTS)]
    return [(order, order_label(order)) for order in orders]


def fee_text(fee: dict[str, Any]) -> str:
    kind = FEE_KIND_LABELS.get(fee.get("kind", ""), fee.get("kind", ""))
    if "amount" in fee:
        value = f"¥{format_money(Decimal(fee['amount']))}"
    else:
        value = _("%(rate)s%% of principal") % {"rate": percent_text(fee.get("rate", "0"))}
    return f"{fee.get('name', '')}: {value} · {kind}"


def documents_text(documents: list[dict[str, Any]], required: bool) -> str:
    names = [str(DOCUMENT_LABELS.get(d["type"], d["type"])) for d in documents if d.get("required") is required]
    return ", ".join(names) or "—"


def _yes_no(value: bool) -> str:
    return str(_("Yes") if value else _("No"))


def term_rows(version: Any) -> list[tuple[str, str, str]]:
    """``(key, label, text)`` for every term of ``version``, in form order."""
    methods = dict(RepaymentMethod.choices)
    v = version
    rows: list[tuple[str, Any, str]] = [
        ("amount", _("Amount range (CNY)"), f"{format_money(v.min_amount)} – {format_money(v.max_amount)}"),
        ("term", _("Term range (months)"), f"{v.min_term_months} – {v.max_term_months}"),
        ("methods", _("Repayment methods"), ", ".join(str(methods.get(m, m)) for m in v.methods) or "—"),
        ("rate", _("Annual rate range"), f"{percent_text(v.min_rate)}% – {percent_text(v.max_rate)}%"),
        ("default_rate", _("Default annual rate"), f"{percent_text(v.default_rate)}%"),
        ("fees", _("Fees"), "; ".join(fee_text(f) for f in v.fees) if v.fees else "—"),
        ("penalty_multiplier", _("Penalty multiplier"), f"×{v.penalty_multiplier}"),
        ("grace_days", _("Grace days"), str(v.grace_days)),
        ("compound", _("Compound interest on overdue interest"), _yes_no(v.compound)),
        ("day_count", _("Day-count basis"), str(v.day_count)),
        ("allocation_order", _("Allocation order"), order_label(v.allocation_order)),
        ("documents_required", _("Required documents"), documents_text(v.documents, True)),
        ("documents_optional", _("Optional documents"), documents_text(v.documents, False)),
        ("rule_set", _("Rule set"), str(v.rule_set) if v.rule_set_id else "—"),
        ("scorecard", _("Scorecard"), str(v.scorecard) if v.scorecard_id else "—"),
        (
            "cutoffs",
            _("Score cut-offs"),
            str(_("auto-approve from %(approve)s, reject below %(reject)s"))
            % {"approve": v.auto_approve_score, "reject": v.reject_below_score}
            if v.auto_approve_score is not None
            else "—",
        ),
        ("notes", _("Notes"), v.notes or "—"),
    ]
    return [(key, str(label), text) for key, label, text in rows]


def terms_diff(draft: Any, published: Any | None) -> list[dict[str, Any]]:
    """Each term row of ``draft`` with the published text beside it and whether it changed."""
    before = {key: text for key, _label, text in term_rows(published)} if published is not None else {}
    return [
        {"key": key, "label": label, "after": text, "before": before.get(key), "changed": before.get(key) != text}
        for key, label, text in term_rows(draft)
    ]
