"""Ledger integrity checks (``manage.py ledger_check`` / ``run_checks()``).

Verified, each by one set-based statement (GROUP BY with window counts, the same SQL on SQLite and PostgreSQL, all
amounts compared in integer fen):
(a) every entry has at least two lines and its debits equal its credits;
(b) the trial balance is zero (all debits = all credits), and no sub-ledger account has a line without a loan;
(c) per loan: principal receivable = ``principal_outstanding`` = Σ(principal_due − principal_paid) of the current
    schedule version; interest receivable = Σ(interest_accrued − interest_paid); penalty receivable =
    Σ(penalty_due − penalty_paid); fee receivable = Σ(fee_due − fee_paid); customer advance (credit − debit) =
    ``advance_balance``;
(d) nothing negative: no instalment amount below zero or paid above its due (interest also above its accrual), no
    negative outstanding, advance or receivable balance on a loan.
At most ``SAMPLE`` problems of each kind are kept; ``counts`` holds how many there are in all.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils.translation import gettext_lazy as _

from loancrm.ledger.choices import Acct
from loancrm.ledger.posting import account_id
from loancrm.ledger.sums import fen, from_fen

SAMPLE = 20
SUBLEDGER = (Acct.PRINCIPAL, Acct.INTEREST, Acct.PENALTY, Acct.FEE, Acct.ADVANCE)
COMPONENTS = ("principal", "interest", "penalty", "fee")

LABELS: dict[str, Any] = {
    "short_entry": _("entry with fewer than two lines"),
    "unbalanced_entry": _("entry does not balance"),
    "trial_balance": _("trial balance is not zero"),
    "line_without_loan": _("sub-ledger line without a loan"),
    "principal_ledger": _("principal receivable ≠ principal outstanding"),
    "principal_schedule": _("principal outstanding ≠ schedule"),
    "interest": _("interest receivable ≠ schedule"),
    "penalty": _("penalty receivable ≠ schedule"),
    "fee": _("fee receivable ≠ schedule"),
    "advance": _("customer advance ≠ advance held"),
    "negative_loan": _("negative loan balance"),
    "negative_installment": _("instalment amount negative or paid above due"),
}


@dataclass(frozen=True)
class Problem:
    """One failed invariant: what (``kind``), where (``subject``) and the two figures that should agree."""

    kind: str
    subject: str
    left_label: str
    left: Decimal
    right_label: str
    right: Decimal

    def __str__(self) -> str:
        return f"{self.subject}: {self.left_label} {self.left} ≠ {self.right_label} {self.right}"


@dataclass
class LedgerReport:
    entries: int = 0
    lines: int = 0
    loans: int = 0
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.counts

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def add(self, kind: str, count: int, problems: list[Problem]) -> None:
        if count:
            self.counts[kind] = self.counts.get(kind, 0) + count
            self.problems.extend(problems[:SAMPLE])


def _rows(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _check_entries(report: LedgerReport) -> None:
    dr, cr = fen("debit"), fen("credit")
    grouped = (
        f"SELECT entry_id, COUNT(*) AS n, SUM({dr}) AS dr, SUM({cr}) AS cr FROM ledger_journalline GROUP BY entry_id "  # noqa: S608
        f"HAVING COUNT(*) < 2 OR SUM({dr}) <> SUM({cr}) "
        "UNION ALL SELECT e.id, 0, 0, 0 FROM ledger_journalentry e "
        "WHERE NOT EXISTS (SELECT 1 FROM ledger_journalline l WHERE l.entry_id = e.id)"
    )
    rows = _rows(
        "SELECT entry_id, n, dr, cr, SUM(CASE WHEN n < 2 THEN 1 ELSE 0 END) OVER (), "  # noqa: S608
        f"SUM(CASE WHEN n < 2 THEN 0 ELSE 1 END) OVER () FROM ({grouped}) t ORDER BY entry_id LIMIT {SAMPLE}",
        [],
    )
    if not rows:
        return
    report.add("short_entry", int(rows[0][4]), [
        Problem("short_entry", f"entry #{r[0]}", "lines", Decimal(r[1]), "minimum", Decimal(2))
        for r in rows
        if r[1] < 2
    ])  # fmt: skip
    report.add("unbalanced_entry", int(rows[0][5]), [
        Problem("unbalanced_entry", f"entry #{r[0]}", "debits", from_fen(r[2]), "credits", from_fen(r[3]))
        for r in rows
        if r[1] >= 2
    ])  # fmt: skip


def _check_totals(report: LedgerReport) -> None:
    [(lines, dr, cr)] = _rows(f"SELECT COUNT(*), SUM({fen('debit')}), SUM({fen('credit')}) FROM ledger_journalline", [])  # noqa: S608
    [(report.entries,)] = _rows("SELECT COUNT(*) FROM ledger_journalentry", [])
    report.lines = int(lines)
    if int(dr or 0) != int(cr or 0):
        report.add("trial_balance", 1, [
            Problem("trial_balance", "journal", "debits", from_fen(dr), "credits", from_fen(cr))
        ])  # fmt: skip
    ids = [account_id(code) for code in SUBLEDGER]
    rows = _rows(
        f"SELECT l.entry_id, a.code, {fen('l.debit')} + {fen('l.credit')}, COUNT(*) OVER () FROM ledger_journalline l "  # noqa: S608
        "JOIN ledger_ledgeraccount a ON a.id = l.account_id "
        f"WHERE l.loan_id IS NULL AND l.account_id IN ({', '.join(['%s'] * len(ids))}) ORDER BY l.id LIMIT {SAMPLE}",
        ids,
    )
    report.add("line_without_loan", rows[0][3] if rows else 0, [
        Problem("line_without_loan", f"entry #{r[0]} ({r[1]})", "amount", from_fen(r[2]), "on a loan", Decimal("0.00"))
        for r in rows
    ])  # fmt: skip


# Per-loan figures: the sub-ledger (g), the current schedule (s) and the loan row, in fen, joined on the loan.
_LOAN_FIGURES = """
WITH g AS (
    SELECT loan_id,
        SUM(CASE WHEN account_id = %s THEN {dr} - {cr} ELSE 0 END) AS principal,
        SUM(CASE WHEN account_id = %s THEN {dr} - {cr} ELSE 0 END) AS interest,
        SUM(CASE WHEN account_id = %s THEN {dr} - {cr} ELSE 0 END) AS penalty,
        SUM(CASE WHEN account_id = %s THEN {dr} - {cr} ELSE 0 END) AS fee,
        SUM(CASE WHEN account_id = %s THEN {cr} - {dr} ELSE 0 END) AS advance
    FROM ledger_journalline WHERE loan_id IS NOT NULL AND account_id IN (%s, %s, %s, %s, %s) GROUP BY loan_id
), s AS (
    SELECT i.loan_id,
        SUM({principal_due} - {principal_paid}) AS principal,
        SUM({interest_accrued} - {interest_paid}) AS interest,
        SUM({penalty_due} - {penalty_paid}) AS penalty,
        SUM({fee_due} - {fee_paid}) AS fee
    FROM loans_installment i JOIN loans_loan lo ON lo.id = i.loan_id AND i.version = lo.schedule_version
    GROUP BY i.loan_id
), c AS (
    SELECT lo.id, lo.contract_no, {outstanding} AS outstanding, {advance} AS advance_held,
        COALESCE(g.principal, 0) AS g_principal, COALESCE(g.interest, 0) AS g_interest,
        COALESCE(g.penalty, 0) AS g_penalty, COALESCE(g.fee, 0) AS g_fee, COALESCE(g.advance, 0) AS g_advance,
        COALESCE(s.principal, 0) AS s_principal, COALESCE(s.interest, 0) AS s_interest,
        COALESCE(s.penalty, 0) AS s_penalty, COALESCE(s.fee, 0) AS s_fee
    FROM loans_loan lo LEFT JOIN g ON g.loan_id = lo.id LEFT JOIN s ON s.loan_id = lo.id
), m AS (
    SELECT c.*,
        CASE WHEN g_principal <> outstanding THEN 1 ELSE 0 END AS bad_principal_ledger,
        CASE WHEN outstanding <> s_principal THEN 1 ELSE 0 END AS bad_principal_schedule,
        CASE WHEN g_interest <> s_interest THEN 1 ELSE 0 END AS bad_interest,
        CASE WHEN g_penalty <> s_penalty THEN 1 ELSE 0 END AS bad_penalty,
        CASE WHEN g_fee <> s_fee THEN 1 ELSE 0 END AS bad_fee,
        CASE WHEN g_advance <> advance_held THEN 1 ELSE 0 END AS bad_advance,
        CASE WHEN outstanding < 0 OR advance_held < 0 OR g_principal < 0 OR g_interest < 0 OR g_penalty < 0
             OR g_fee < 0 OR g_advance < 0 THEN 1 ELSE 0 END AS bad_negative
    FROM c
)
SELECT m.*, SUM(bad_principal_ledger) OVER (), SUM(bad_principal_schedule) OVER (), SUM(bad_interest) OVER (),
    SUM(bad_penalty) OVER (), SUM(bad_fee) OVER (), SUM(bad_advance) OVER (), SUM(bad_negative) OVER (),
    (SELECT COUNT(*) FROM loans_loan)
FROM m
WHERE bad_principal_ledger + bad_principal_schedule + bad_interest + bad_penalty + bad_fee + bad_advance
    + bad_negative > 0
ORDER BY m.id LIMIT {limit}
"""
_COLUMNS = ("principal_due", "principal_paid", "interest_accrued", "interest_paid", "penalty_due", "penalty_paid",
            "fee_due", "fee_paid")  # fmt: skip
_LOAN_KINDS = ("principal_ledger", "principal_schedule", "interest", "penalty", "fee", "advance", "negative_loan")


def _loan_problems(row: dict[str, Any]) -> list[Problem]:
    subject = f"loan {row['contract_no']}"
    pairs = {
        "principal_ledger": ("principal receivable", "g_principal", "principal outstanding", "outstanding"),
        "principal_schedule": ("principal outstanding", "outstanding", "schedule principal", "s_principal"),
        "interest": ("interest receivable", "g_interest", "schedule interest", "s_interest"),
        "penalty": ("penalty receivable", "g_penalty", "schedule penalty", "s_penalty"),
        "fee": ("fee receivable", "g_fee", "schedule fee", "s_fee"),
        "advance": ("customer advance", "g_advance", "advance held", "advance_held"),
    }
    found = [
        Problem(kind, subject, left_label, from_fen(row[left]), right_label, from_fen(row[right]))
        for kind, (left_label, left, right_label, right) in pairs.items()
        if row[f"bad_{kind}"]
    ]
    if row["bad_negative"]:
        figures = {"principal outstanding": "outstanding", "advance held": "advance_held", "principal receivable":
                   "g_principal", "interest receivable": "g_interest", "penalty receivable": "g_penalty",
                   "fee receivable": "g_fee", "customer advance": "g_advance"}  # fmt: skip
        found += [
            Problem("negative_loan", subject, label, from_fen(row[key]), "minimum", Decimal("0.00"))
            for label, key in figures.items()
            if int(row[key]) < 0
        ]
    return found


def _check_loans(report: LedgerReport) -> None:
    ids = [account_id(code) for code in SUBLEDGER]
    columns = {name: fen(f"i.{name}") for name in _COLUMNS}
    sql = _LOAN_FIGURES.format(
        dr=fen("debit"), cr=fen("credit"), outstanding=fen("lo.principal_outstanding"),
        advance=fen("lo.advance_balance"), limit=SAMPLE, **columns,
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(sql, ids + ids)
        names = [col[0] for col in cursor.description]
        rows = cursor.fetchall()
    if not rows:
        [(report.loans,)] = _rows("SELECT COUNT(*) FROM loans_loan", [])
        return
    counts = rows[0][len(names) - 8 : len(names) - 1]
    report.loans = int(rows[0][-1])
    problems = [p for row in rows for p in _loan_problems(dict(zip(names, row, strict=True)))]
    for kind, count in zip(_LOAN_KINDS, counts, strict=True):
        report.add(kind, int(count), [p for p in problems if p.kind == kind])


_INSTALMENT_RULES = (
    ("principal paid", "principal_paid", "principal due", "principal_due"),
    ("interest paid", "interest_paid", "interest due", "interest_due"),
    ("interest paid", "interest_paid", "interest accrued", "interest_accrued"),
    ("penalty paid", "penalty_paid", "penalty due", "penalty_due"),
    ("fee paid", "fee_paid", "fee due", "fee_due"),
)
_AMOUNTS = (*_COLUMNS, "interest_due")


def _check_installments(report: LedgerReport) -> None:
    over = " OR ".join(f"i.{paid} > i.{due}" for _l, paid, _r, due in _INSTALMENT_RULES)
    negative = " OR ".join(f"i.{name} < 0" for name in _AMOUNTS)
    amounts = ", ".join(fen(f"i.{name}") for name in _AMOUNTS)
    rows = _rows(
        f"SELECT lo.contract_no, i.version, i.period, {amounts}, COUNT(*) OVER () "  # noqa: S608
        f"FROM loans_installment i JOIN loans_loan lo ON lo.id = i.loan_id WHERE {over} OR {negative} "
        f"ORDER BY i.loan_id, i.version, i.period LIMIT {SAMPLE}",
        [],
    )
    problems = []
    for row in rows:
        values = {name: from_fen(row[3 + n]) for n, name in enumerate(_AMOUNTS)}
        subject = f"loan {row[0]} v{row[1]} #{row[2]}"
        problems += [
            Problem("negative_installment", subject, left_label, values[left], right_label, values[right])
            for left_label, left, right_label, right in _INSTALMENT_RULES
            if values[left] > values[right]
        ]
        problems += [
            Problem("negative_installment", subject, name.replace("_", " "), values[name], "minimum", Decimal("0.00"))
            for name in _AMOUNTS
            if values[name] < 0
        ]
    report.add("negative_installment", int(rows[0][-1]) if rows else 0, problems)


def run_checks() -> LedgerReport:
    """Run every check; the report is ``ok`` when nothing failed."""
    started = time.perf_counter()
    report = LedgerReport()
    _check_entries(report)
    _check_totals(report)
    _check_loans(report)
    _check_installments(report)
    report.seconds = time.perf_counter() - started
    return report
