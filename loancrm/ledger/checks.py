"""Ledger integrity checks (``manage.py ledger_check`` / ``run_checks()``).

Verified, by set-based statements (GROUP BY, the same SQL on SQLite and PostgreSQL, amounts compared as exact sums,
see ``sums``):
(a) every entry has at least two lines and its debits equal its credits;
(b) the trial balance is zero (all debits = all credits), no sub-ledger account has a line without a loan, and the
    balances stored by the latest closed period equal the journal through its last day;
(c) per loan: principal receivable = ``principal_outstanding`` = Σ(principal_due − principal_paid) of the current
    schedule version; interest receivable = Σ(interest_accrued − interest_paid); penalty receivable =
    Σ(penalty_due − penalty_paid); fee receivable = Σ(fee_due − fee_paid); customer advance (credit − debit) =
    ``advance_balance``;
(d) nothing negative: no instalment amount below zero or paid above its due (interest also above its accrual), no
    negative outstanding, advance or receivable balance on a loan;
(e) every reference of the tables without database foreign keys resolves: a journal line's entry, account and loan,
    a transaction part's transaction and instalment (docs/loans.md, "Constraints on the high-volume tables").
Sound books cost four passes: the lines grouped by entry (counts and totals of (a) and (b)), the lines through the
latest closed period grouped by account, and one statement joining the lines and the instalments grouped by loan to
the loans ((c) and (d)), and one anti-join per table for (e); the offending rows are read only when a count is not
zero. At most ``SAMPLE`` problems of each kind are kept; ``counts`` holds how many there are in all.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext_lazy as _

from loancrm.ledger.choices import Acct, PeriodStatus
from loancrm.ledger.models import AccountingPeriod, JournalLine, LedgerAccount, PeriodBalance
from loancrm.ledger.posting import period_end
from loancrm.ledger.sums import exact, exact_sum, to_amount

SAMPLE = 20
SUBLEDGER = (Acct.PRINCIPAL, Acct.INTEREST, Acct.PENALTY, Acct.FEE, Acct.ADVANCE)
ZERO = Decimal("0.00")

LABELS: dict[str, Any] = {
    "short_entry": _("entry with fewer than two lines"),
    "unbalanced_entry": _("entry does not balance"),
    "trial_balance": _("trial balance is not zero"),
    "line_without_loan": _("sub-ledger line without a loan"),
    "period_balance": _("stored period balance ≠ journal"),
    "principal_ledger": _("principal receivable ≠ principal outstanding"),
    "principal_schedule": _("principal outstanding ≠ schedule"),
    "interest": _("interest receivable ≠ schedule"),
    "penalty": _("penalty receivable ≠ schedule"),
    "fee": _("fee receivable ≠ schedule"),
    "advance": _("customer advance ≠ advance held"),
    "negative_loan": _("negative loan balance"),
    "negative_installment": _("instalment amount negative or paid above due"),
    "dangling_reference": _("reference to a missing row"),
}
REFERENCES = {
    "ledger_journalline": (
        ("entry_id", "ledger_journalentry"), ("account_id", "ledger_ledgeraccount"), ("loan_id", "loans_loan"),
    ),
    "loans_transactionpart": (("transaction_id", "loans_loantransaction"), ("installment_id", "loans_installment")),
}  # fmt: skip


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


def _rows(sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return list(cursor.fetchall())


def _subledger_ids() -> list[int]:
    """Ids of the sub-ledger accounts in ``SUBLEDGER`` order (-1 for one that does not exist: no line can hold it)."""
    ids = dict(LedgerAccount.objects.filter(code__in=SUBLEDGER).values_list("code", "id"))
    return [ids.get(code, -1) for code in SUBLEDGER]


def _marks(values: list[Any]) -> str:
    return ", ".join(["%s"] * len(values))


def _per_entry(subledger: list[int]) -> str:
    return (
        f"SELECT entry_id, COUNT(*) AS n, SUM({exact('debit')}) AS dr, SUM({exact('credit')}) AS cr, "  # noqa: S608
        f"SUM(CASE WHEN loan_id IS NULL AND account_id IN ({_marks(subledger)}) THEN 1 ELSE 0 END) AS orphans "
        "FROM ledger_journalline GROUP BY entry_id"
    )


def _check_journal(report: LedgerReport) -> None:
    """(a) and (b): one pass over the lines grouped by entry; the entries are named only when a count says so."""
    subledger = _subledger_ids()
    per_entry = _per_entry(subledger)
    [(groups, lines, debits, credits, short, unbalanced, orphans)] = _rows(
        "SELECT COUNT(*), SUM(n), SUM(dr), SUM(cr), SUM(CASE WHEN n < 2 THEN 1 ELSE 0 END), "  # noqa: S608
        f"SUM(CASE WHEN n >= 2 AND dr <> cr THEN 1 ELSE 0 END), SUM(orphans) FROM ({per_entry}) g",
        subledger,
    )
    [(report.entries,)] = _rows("SELECT COUNT(*) FROM ledger_journalentry")
    report.lines = int(lines or 0)
    empty = report.entries - int(groups)
    if short or empty:
        rows = _rows(f"SELECT entry_id, n FROM ({per_entry}) g WHERE n < 2 ORDER BY entry_id LIMIT {SAMPLE}", subledger)  # noqa: S608
        rows += _rows(
            "SELECT e.id, 0 FROM ledger_journalentry e WHERE NOT EXISTS "
            "(SELECT 1 FROM ledger_journalline l WHERE l.entry_id = e.id) ORDER BY e.id LIMIT %s",
            [SAMPLE],
        )
        report.add("short_entry", int(short or 0) + empty, [
            Problem("short_entry", f"entry #{pk}", "lines", Decimal(n), "minimum", Decimal(2)) for pk, n in sorted(rows)
        ])  # fmt: skip
    if unbalanced:
        rows = _rows(
            f"SELECT entry_id, dr, cr FROM ({per_entry}) g WHERE n >= 2 AND dr <> cr ORDER BY entry_id LIMIT {SAMPLE}",  # noqa: S608
            subledger,
        )
        report.add("unbalanced_entry", int(unbalanced), [
            Problem("unbalanced_entry", f"entry #{pk}", "debits", to_amount(dr), "credits", to_amount(cr))
            for pk, dr, cr in rows
        ])  # fmt: skip
    if to_amount(debits) != to_amount(credits):
        report.add("trial_balance", 1, [
            Problem("trial_balance", "journal", "debits", to_amount(debits), "credits", to_amount(credits))
        ])  # fmt: skip
    if orphans:
        rows = _rows(
            f"SELECT l.entry_id, a.code, {exact('l.debit')} + {exact('l.credit')} FROM ledger_journalline l "  # noqa: S608
            f"JOIN ledger_ledgeraccount a ON a.id = l.account_id WHERE l.loan_id IS NULL "
            f"AND l.account_id IN ({_marks(subledger)}) ORDER BY l.id LIMIT {SAMPLE}",
            subledger,
        )
        report.add("line_without_loan", int(orphans), [
            Problem("line_without_loan", f"entry #{pk} ({code})", "amount", to_amount(amount), "on a loan", ZERO)
            for pk, code, amount in rows
        ])  # fmt: skip


def _check_period_balances(report: LedgerReport) -> None:
    """The balances the latest closed period stored (trial balances start from them) against the journal itself."""
    period = AccountingPeriod.objects.filter(status=PeriodStatus.CLOSED).order_by("-start").first()
    if period is None:
        return
    journal = {
        row["account_id"]: (to_amount(row["dr"]), to_amount(row["cr"]))
        for row in JournalLine.objects.filter(entry__entry_date__lte=period_end(period.start))
        .order_by()
        .values("account_id")
        .annotate(dr=exact_sum("debit"), cr=exact_sum("credit"))
    }
    stored = {b.account_id: (b.debits, b.credits) for b in PeriodBalance.objects.filter(period=period)}
    codes = dict(LedgerAccount.objects.values_list("id", "code"))
    problems = []
    for account in sorted(set(journal) | set(stored), key=lambda pk: codes[pk]):
        found, kept = journal.get(account, (ZERO, ZERO)), stored.get(account, (ZERO, ZERO))
        for side, label in ((0, "debits"), (1, "credits")):
            if found[side] != kept[side]:
                subject = f"period {period.start:%Y-%m} {codes[account]}"
                problems.append(
                    Problem("period_balance", subject, f"journal {label}", found[side], "stored", kept[side])
                )
    report.add("period_balance", len(problems), problems)


_AMOUNTS = ("principal_due", "principal_paid", "interest_due", "interest_accrued", "interest_paid", "penalty_due",
            "penalty_paid", "fee_due", "fee_paid")  # fmt: skip
# (paid label, paid column, due label, due column): the paid side may not exceed the due side
_INSTALMENT_RULES = (
    ("principal paid", "principal_paid", "principal due", "principal_due"),
    ("interest paid", "interest_paid", "interest due", "interest_due"),
    ("interest paid", "interest_paid", "interest accrued", "interest_accrued"),
    ("penalty paid", "penalty_paid", "penalty due", "penalty_due"),
    ("fee paid", "fee_paid", "fee due", "fee_due"),
)
_BAD_INSTALMENT = " OR ".join(
    [f"i.{paid} > i.{due}" for _l, paid, _r, due in _INSTALMENT_RULES] + [f"i.{name} < 0" for name in _AMOUNTS]
)

# Per loan: its sub-ledger (g), its current schedule and bad instalments of any version (s), and the loan row.
_LOANS = """
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
        SUM(CASE WHEN i.version = lo.schedule_version THEN {principal_due} - {principal_paid} ELSE 0 END) AS principal,
        SUM(CASE WHEN i.version = lo.schedule_version THEN {interest_accrued} - {interest_paid} ELSE 0 END)
            AS interest,
        SUM(CASE WHEN i.version = lo.schedule_version THEN {penalty_due} - {penalty_paid} ELSE 0 END) AS penalty,
        SUM(CASE WHEN i.version = lo.schedule_version THEN {fee_due} - {fee_paid} ELSE 0 END) AS fee,
        SUM(CASE WHEN {bad_instalment} THEN 1 ELSE 0 END) AS bad_rows
    FROM loans_installment i JOIN loans_loan lo ON lo.id = i.loan_id
    GROUP BY i.loan_id
), c AS (
    SELECT lo.id, lo.contract_no, {outstanding} AS outstanding, {advance} AS advance_held,
        COALESCE(g.principal, 0) AS g_principal, COALESCE(g.interest, 0) AS g_interest,
        COALESCE(g.penalty, 0) AS g_penalty, COALESCE(g.fee, 0) AS g_fee, COALESCE(g.advance, 0) AS g_advance,
        COALESCE(s.principal, 0) AS s_principal, COALESCE(s.interest, 0) AS s_interest,
        COALESCE(s.penalty, 0) AS s_penalty, COALESCE(s.fee, 0) AS s_fee, COALESCE(s.bad_rows, 0) AS bad_rows
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
             OR g_fee < 0 OR g_advance < 0 THEN 1 ELSE 0 END AS bad_negative_loan
    FROM c
)
SELECT m.*, SUM(bad_principal_ledger) OVER (), SUM(bad_principal_schedule) OVER (), SUM(bad_interest) OVER (),
    SUM(bad_penalty) OVER (), SUM(bad_fee) OVER (), SUM(bad_advance) OVER (), SUM(bad_negative_loan) OVER (),
    SUM(bad_rows) OVER ()
FROM m
WHERE bad_principal_ledger + bad_principal_schedule + bad_interest + bad_penalty + bad_fee + bad_advance
    + bad_negative_loan + bad_rows > 0
ORDER BY m.id LIMIT {limit}
"""
_LOAN_KINDS = ("principal_ledger", "principal_schedule", "interest", "penalty", "fee", "advance", "negative_loan")
_PAIRS = {
    "principal_ledger": ("principal receivable", "g_principal", "principal outstanding", "outstanding"),
    "principal_schedule": ("principal outstanding", "outstanding", "schedule principal", "s_principal"),
    "interest": ("interest receivable", "g_interest", "schedule interest", "s_interest"),
    "penalty": ("penalty receivable", "g_penalty", "schedule penalty", "s_penalty"),
    "fee": ("fee receivable", "g_fee", "schedule fee", "s_fee"),
    "advance": ("customer advance", "g_advance", "advance held", "advance_held"),
}
_NON_NEGATIVE = {
    "principal outstanding": "outstanding",
    "advance held": "advance_held",
    "principal receivable": "g_principal",
    "interest receivable": "g_interest",
    "penalty receivable": "g_penalty",
    "fee receivable": "g_fee",
    "customer advance": "g_advance",
}


def _loan_problems(row: dict[str, Any]) -> list[Problem]:
    subject = f"loan {row['contract_no']}"
    found = [
        Problem(kind, subject, left_label, to_amount(row[left]), right_label, to_amount(row[right]))
        for kind, (left_label, left, right_label, right) in _PAIRS.items()
        if row[f"bad_{kind}"]
    ]
    if row["bad_negative_loan"]:
        found += [
            Problem("negative_loan", subject, label, to_amount(row[key]), "minimum", ZERO)
            for label, key in _NON_NEGATIVE.items()
            if to_amount(row[key]) < 0
        ]
    return found


def _check_loans(report: LedgerReport) -> None:
    """(c) and the loan half of (d) in one statement; offending instalments are read only when there are some."""
    ids = _subledger_ids()
    sql = _LOANS.format(
        dr=exact("debit"), cr=exact("credit"), outstanding=exact("lo.principal_outstanding"),
        advance=exact("lo.advance_balance"), bad_instalment=_BAD_INSTALMENT, limit=SAMPLE,
        **{name: exact(f"i.{name}") for name in _AMOUNTS},
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(sql, ids + ids)
        names = [column[0] for column in cursor.description]
        rows = cursor.fetchall()
    [(report.loans,)] = _rows("SELECT COUNT(*) FROM loans_loan")
    if not rows:
        return
    *loan_counts, instalment_count = rows[0][-8:]
    problems = [p for row in rows for p in _loan_problems(dict(zip(names, row, strict=True)))]
    for kind, count in zip(_LOAN_KINDS, loan_counts, strict=True):
        report.add(kind, int(count), [p for p in problems if p.kind == kind])
    if instalment_count:
        report.add("negative_installment", int(instalment_count), _instalment_problems())


def _instalment_problems() -> list[Problem]:
    columns = ", ".join(exact(f"i.{name}") for name in _AMOUNTS)
    rows = _rows(
        f"SELECT lo.contract_no, i.version, i.period, {columns} FROM loans_installment i "  # noqa: S608
        f"JOIN loans_loan lo ON lo.id = i.loan_id WHERE {_BAD_INSTALMENT} "
        f"ORDER BY i.loan_id, i.version, i.period LIMIT {SAMPLE}"
    )
    problems = []
    for contract_no, version, period, *amounts in rows:
        values = {name: to_amount(value) for name, value in zip(_AMOUNTS, amounts, strict=True)}
        subject = f"loan {contract_no} v{version} #{period}"
        problems += [
            Problem("negative_installment", subject, left_label, values[left], right_label, values[right])
            for left_label, left, right_label, right in _INSTALMENT_RULES
            if values[left] > values[right]
        ]
        problems += [
            Problem("negative_installment", subject, name.replace("_", " "), values[name], "minimum", ZERO)
            for name in _AMOUNTS
            if values[name] < 0
        ]
    return problems


def _dangling(table: str, references: tuple[tuple[str, str], ...]) -> str:
    """``FROM … WHERE`` of ``table``'s rows with a reference (not NULL) to no row, one LEFT JOIN per reference."""
    joins = " ".join(
        f"LEFT JOIN {target} t{n} ON t{n}.id = r.{column}" for n, (column, target) in enumerate(references)
    )
    missing = " OR ".join(f"(r.{column} IS NOT NULL AND t{n}.id IS NULL)" for n, (column, _t) in enumerate(references))
    return f"FROM {table} r {joins} WHERE {missing}"


def _check_references(report: LedgerReport) -> None:
    """(e): one pass per table; the offending rows are read only when there are some."""
    for table, references in REFERENCES.items():
        where = _dangling(table, references)
        [(count,)] = _rows(f"SELECT COUNT(*) {where}")
        if not count:
            continue
        columns = ", ".join(f"r.{column}, t{n}.id" for n, (column, _t) in enumerate(references))
        problems = []
        for pk, *pairs in _rows(f"SELECT r.id, {columns} {where} ORDER BY r.id LIMIT {SAMPLE}"):
            for (column, target), value, found in zip(references, pairs[::2], pairs[1::2], strict=True):
                if value is not None and found is None:
                    subject = f"{table} #{pk} {column} → {target} #{value}"
                    problems.append(Problem("dangling_reference", subject, "rows", ZERO, "expected", Decimal(1)))
        report.add("dangling_reference", int(count), problems)


def _run(report: LedgerReport) -> None:
    _check_journal(report)
    _check_period_balances(report)
    _check_loans(report)
    _check_references(report)


def run_checks() -> LedgerReport:
    """Run every check; the report is ``ok`` when nothing failed.

    On PostgreSQL, called outside a transaction, every statement reads one REPEATABLE READ snapshot, so postings
    committed meanwhile cannot show up as problems. SQLite reads a snapshot per statement (its transactions would
    take the write lock): run it there when postings are quiet, e.g. after end of day."""
    started = time.perf_counter()
    report = LedgerReport()
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            _run(report)
    else:
        _run(report)
    report.seconds = time.perf_counter() - started
    return report
