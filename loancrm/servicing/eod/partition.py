"""One partition of the end-of-day run: the open loans with ``lo <= id < hi``, in the caller's transaction.

Steps, each one statement (or two) over the whole range:
1. advances held are applied to what fell due on the business date (``advance_apply``, only for the few loans
   holding an advance with something due);
2. the range's instalments are read once, in index order, into the work table ``eod_rows``: only the current-schedule
   rows the day can change (the period accruing interest, anything unpaid falling due by tomorrow or not
   ``pending``); every later step reads this small table instead of the schedule;
3. interest accrual: every accruing instalment's ``interest_accrued`` brought to its interest to date
   (``overdue.interest_to_date``, computed in integer fen in SQL) — the difference goes to a work table;
4. penalty and compound interest on overdue instalments (``penalty``), differences to the same work table;
5. the partition's journal entry from the work table: per loan Dr interest receivable / Dr (or Cr) penalty
   receivable, against one Cr interest income and one penalty income line (lines carry the loan, the entry not);
6. the accrued interest written (PostgreSQL: in step 3's statement); instalment statuses (pending / due /
   overdue) as of the next day;
7. per loan: DPD, bucket and classification (CASE expressions built from their tables), status active ↔ overdue;
   every bucket change appended to ``BucketChange``;
8. events for later consumers (``LoanEvent``: due tomorrow, became overdue) and, on a month's last day, the
   month-end snapshot of every loan of the range (``LoanSnapshot``).

Everything is computed "as of" the day after the business date — the state the next business date opens with: a
payment on day P sees P − due days of penalty and P − start days of interest. On PostgreSQL the partition's
transaction runs without JIT compilation or parallel plans (both cost more than they save at this size) and with
enough memory for its sorts and hashes (``sql.tune_batch_transaction``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from loancrm.core.money import ZERO
from loancrm.ledger.choices import Acct, EntryKind
from loancrm.ledger.errors import PeriodClosed
from loancrm.ledger.models import JournalEntry, JournalLine
from loancrm.ledger.posting import account_id, period_is_closed
from loancrm.loans.services import advance_apply
from loancrm.servicing.eod import sql
from loancrm.servicing.eod.penalty import accrue_penalty
from loancrm.servicing.overdue import Band
from loancrm.servicing.rules import Rules, bucket_bands, class_bands

ROWS = "eod_rows"
ROWS_COLUMNS = (
    "id bigint, loan_id bigint, due_date date, start_date date, status varchar(12), due_fen bigint, accrued_fen bigint"
)
MOVES = "eod_moves"
MOVES_COLUMNS = "id bigint, status varchar(12)"
DELTA = "eod_delta"
DELTA_COLUMNS = "installment_id bigint, loan_id bigint, interest_fen bigint, penalty_fen bigint"
STANDING = "eod_standing"
STANDING_COLUMNS = (
    "loan_id bigint, old_bucket varchar(8), old_status varchar(12), old_dpd integer, old_class varchar(16), "
    "dpd integer, bucket varchar(8), risk_class varchar(16), status varchar(12)"
)


@dataclass
class PartitionResult:
    loans: int = 0
    interest_rows: int = 0
    penalty_rows: int = 0
    advances: int = 0
    bucket_changes: int = 0


def process(day: dt.date, lo: int, hi: int) -> PartitionResult:
    """Run every step for loans ``lo <= id < hi`` on business date ``day`` (inside the caller's transaction)."""
    as_of = day + dt.timedelta(days=1)
    result = PartitionResult()
    sql.tune_batch_transaction()
    lock_loans(lo, hi)
    result.advances = apply_advances(day, lo, hi)
    collect_rows(lo, hi, as_of)
    sql.scratch_table(DELTA, DELTA_COLUMNS)
    result.interest_rows = accrue_interest(as_of)
    result.penalty_rows = accrue_penalty(as_of, lo, hi, Rules(), ROWS, DELTA)
    post_journal(day, lo, hi)
    if not sql.is_postgres():
        write_interest()
    set_instalment_statuses(as_of)
    result.loans, result.bucket_changes = recompute_loans(day, lo, hi, as_of)
    write_events(day)
    if as_of.day == 1:
        write_snapshots(day.replace(day=1), lo, hi)
    return result


def lock_loans(lo: int, hi: int) -> None:
    """PostgreSQL: lock the range's open loans, so a payment posted meanwhile waits for the partition."""
    if sql.is_postgres():
        sql.rows(
            f"SELECT id FROM loans_loan WHERE id >= %s AND id < %s AND status IN {sql.OPEN} ORDER BY id FOR UPDATE",  # noqa: S608
            [lo, hi],
        )


def apply_advances(day: dt.date, lo: int, hi: int) -> int:
    """Apply held advances to what is due on or before ``day``; the number of loans that used one."""
    ids = sql.rows(
        f"SELECT l.id FROM loans_loan l WHERE l.id >= %s AND l.id < %s AND l.status IN {sql.OPEN} "  # noqa: S608
        "AND l.advance_balance > 0 AND EXISTS (SELECT 1 FROM loans_installment i WHERE i.loan_id = l.id "
        f"AND i.version = l.schedule_version AND i.status <> 'paid' AND i.due_date <= {sql.date_param()}) "
        "ORDER BY l.id",
        [lo, hi, sql.day(day)],
    )
    used = 0
    for (loan_id,) in ids:
        if advance_apply(loan_id=loan_id, as_of=day) is not None:
            used += 1
    return used


_COLLECT = """
INSERT INTO {rows} (id, loan_id, due_date, start_date, status, due_fen, accrued_fen)
SELECT i.id, i.loan_id, i.due_date, i.period_start, i.status, {due}, {accrued}
FROM loans_installment i JOIN loans_loan l ON l.id = i.loan_id AND l.schedule_version = i.version
WHERE i.loan_id >= %(lo)s AND i.loan_id < %(hi)s AND i.status <> 'paid' AND i.due_date <= {tomorrow}
  AND l.id >= %(lo)s AND l.id < %(hi)s AND l.status IN {open}
UNION ALL
SELECT i.id, i.loan_id, i.due_date, i.period_start, i.status, {due}, {accrued}
FROM loans_loan l {first_later}
WHERE l.id >= %(lo)s AND l.id < %(hi)s AND l.status IN {open} AND i.period_start < {as_of}
  AND i.interest_accrued < i.interest_due
"""
_LATER = (
    "loans_installment n WHERE n.loan_id = l.id AND n.version = l.schedule_version AND n.status <> 'paid' "
    "AND n.due_date > {tomorrow} ORDER BY n.due_date LIMIT 1"
)
FIRST_LATER = {
    "postgresql": f"CROSS JOIN LATERAL (SELECT n.* FROM {_LATER}) i",  # noqa: S608
    "sqlite": f"JOIN loans_installment i ON i.id = (SELECT n.id FROM {_LATER})",  # noqa: S608
}


def collect_rows(lo: int, hi: int, as_of: dt.date) -> int:
    """Fill ``eod_rows`` with the current-schedule rows of the range's open loans the day can change: every unpaid
    row due by tomorrow, and the first unpaid row after that when its period has started (the one accruing
    interest). Both are reached through the unpaid-rows index by due date, never the whole schedule."""
    sql.scratch_table(ROWS, ROWS_COLUMNS)
    tomorrow = sql.named_date("tomorrow")
    query = _COLLECT.format(
        rows=ROWS, due=sql.fen("i.interest_due"), accrued=sql.fen("i.interest_accrued"), open=sql.OPEN,
        tomorrow=tomorrow, as_of=sql.named_date("as_of"),
        first_later=FIRST_LATER[sql.connection.vendor].format(tomorrow=tomorrow),
    )  # fmt: skip
    params = {"lo": lo, "hi": hi, "tomorrow": sql.day(as_of + dt.timedelta(days=1)), "as_of": sql.day(as_of)}
    found = sql.execute(query, params)
    return found


_ACCRUED = """
SELECT id, loan_id, target - accrued_fen AS f FROM (
  SELECT id, loan_id, accrued_fen,
         CASE WHEN period_days <= 0 OR elapsed >= period_days THEN due_fen
              ELSE (2 * due_fen * elapsed + period_days) / (2 * period_days) END AS target
  FROM (
    SELECT id, loan_id, due_fen, accrued_fen, {period_days} AS period_days, {elapsed} AS elapsed
    FROM {rows} WHERE accrued_fen < due_fen AND start_date < {as_of}
  ) c WHERE elapsed > 0
) x WHERE target > accrued_fen
"""
_ACCRUE = {
    # PostgreSQL writes the accrual and its differences in one statement; SQLite then runs ``write_interest``.
    "postgresql": "WITH a AS MATERIALIZED ({accrued}), written AS (UPDATE loans_installment i "
    "SET interest_accrued = i.interest_accrued + a.f * 0.01 FROM a WHERE i.id = a.id) "
    "INSERT INTO {delta} (installment_id, loan_id, interest_fen, penalty_fen) SELECT id, loan_id, f, 0 FROM a",
    "sqlite": "INSERT INTO {delta} (installment_id, loan_id, interest_fen, penalty_fen) "
    "SELECT id, loan_id, f, 0 FROM ({accrued})",
}


def accrue_interest(as_of: dt.date) -> int:
    """Each accruing row's interest to date; the differences into the work table (PostgreSQL: written to the
    instalments in the same statement)."""
    accrued = _ACCRUED.format(
        rows=ROWS, period_days=sql.days("due_date", "start_date"), elapsed=sql.days(sql.date_param(), "start_date"),
        as_of=sql.date_param(),
    )  # fmt: skip
    query = _ACCRUE[sql.connection.vendor].format(accrued=accrued, delta=DELTA)
    return sql.execute(query, [sql.day(as_of), sql.day(as_of)])


_PER_LOAN = f"SELECT loan_id, SUM(interest_fen) AS i, SUM(penalty_fen) AS p FROM {DELTA} GROUP BY loan_id"  # noqa: S608


def post_journal(day: dt.date, lo: int, hi: int) -> JournalEntry | None:
    """The partition's accrual entry (none when nothing changed)."""
    [(interest, penalty_up, penalty_down)] = sql.rows(
        "SELECT COALESCE(SUM(i), 0), COALESCE(SUM(CASE WHEN p > 0 THEN p ELSE 0 END), 0), "  # noqa: S608
        f"COALESCE(SUM(CASE WHEN p < 0 THEN -p ELSE 0 END), 0) FROM ({_PER_LOAN}) g"
    )
    if not (interest or penalty_up or penalty_down):
        return None
    if period_is_closed(day):
        raise PeriodClosed(fields={"entry_date": [day.isoformat()]})
    entry = JournalEntry.objects.create(
        entry_date=day, kind=EntryKind.ACCRUAL, memo=f"EOD {day.isoformat()} loans {lo}-{hi - 1}"[:200],
        posted_at=timezone.now(),
    )  # fmt: skip
    lines = " UNION ALL ".join(
        f"SELECT %s AS e, %s AS a, g.loan_id AS l, {debit} AS d, {credit} AS c, {kind} AS k FROM g WHERE {where}"  # noqa: S608
        for kind, debit, credit, where in (
            (1, sql.from_fen("g.i"), "0", "g.i > 0"),
            (2, sql.from_fen("g.p"), "0", "g.p > 0"),
            (3, "0", sql.from_fen("-g.p"), "g.p < 0"),
        )
    )
    receivable = [account_id(Acct.INTEREST), account_id(Acct.PENALTY), account_id(Acct.PENALTY)]
    sql.execute(
        f"WITH g AS MATERIALIZED ({_PER_LOAN}) INSERT INTO ledger_journalline "  # noqa: S608
        f"(entry_id, account_id, loan_id, debit, credit) SELECT e, a, l, d, c FROM ({lines}) x ORDER BY l, k",
        [value for account in receivable for value in (entry.pk, account)],
    )
    income = [
        JournalLine(entry=entry, account_id=account_id(Acct.INTEREST_INCOME), credit=sql.to_decimal(interest) or ZERO),
        JournalLine(entry=entry, account_id=account_id(Acct.PENALTY_INCOME), credit=sql.to_decimal(penalty_up) or ZERO),
        JournalLine(entry=entry, account_id=account_id(Acct.PENALTY_INCOME),
                    debit=sql.to_decimal(penalty_down) or ZERO),
    ]  # fmt: skip
    JournalLine.objects.bulk_create([line for line in income if line.debit or line.credit])
    return entry


def write_interest() -> None:
    """SQLite: each accruing row's ``interest_accrued`` raised by its difference (one interest row per instalment
    in the work table)."""
    sql.execute(
        f"UPDATE loans_installment SET interest_accrued = {sql.plus_fen('interest_accrued', 'd.interest_fen')} "  # noqa: S608
        f"FROM {DELTA} d WHERE loans_installment.id = d.installment_id AND d.interest_fen <> 0"
    )


def set_instalment_statuses(as_of: dt.date) -> int:
    """Unpaid rows of ``eod_rows`` become overdue / due / pending as of ``as_of`` (rows paid meanwhile stay paid)."""
    mark = sql.date_param()
    target = f"CASE WHEN due_date < {mark} THEN 'overdue' WHEN due_date = {mark} THEN 'due' ELSE 'pending' END"
    when = [sql.day(as_of), sql.day(as_of)]
    sql.scratch_table(MOVES, MOVES_COLUMNS)
    moves = sql.execute(
        f"INSERT INTO {MOVES} (id, status) SELECT id, target FROM (SELECT id, status, {target} AS target "  # noqa: S608
        f"FROM {ROWS} WHERE status <> 'paid') m WHERE status <> target",
        when,
    )
    if not moves:
        return 0
    return sql.execute(
        f"UPDATE loans_installment SET status = m.status FROM {MOVES} m "  # noqa: S608
        "WHERE loans_installment.id = m.id AND loans_installment.status <> 'paid'"
    )


_STANDING = """
INSERT INTO {standing} (loan_id, old_bucket, old_status, old_dpd, old_class, dpd, bucket, risk_class, status)
SELECT loan_id, old_bucket, old_status, old_dpd, old_class, dpd, {bucket}, {risk_class},
       CASE WHEN settled = 1 THEN 'paid_off' WHEN dpd > 0 THEN 'overdue' ELSE 'active' END
FROM (
  SELECT l.id AS loan_id, l.bucket AS old_bucket, l.status AS old_status, l.dpd AS old_dpd,
         l.risk_class AS old_class,
         CASE WHEN l.principal_outstanding <> 0 THEN 0
              WHEN EXISTS (SELECT 1 FROM loans_installment u WHERE u.loan_id = l.id
                           AND u.version = l.schedule_version AND u.status <> 'paid') THEN 0
              ELSE 1 END AS settled,
         CASE WHEN o.oldest IS NULL THEN 0
              WHEN {late} > COALESCE(r.grace_days, g.grace_days, 0) THEN {late} ELSE 0 END AS dpd
  FROM loans_loan l
  LEFT JOIN (
    SELECT w.loan_id, MIN(w.due_date) AS oldest FROM {rows} w
    WHERE w.due_date < {as_of} AND w.status <> 'paid' GROUP BY w.loan_id
  ) o ON o.loan_id = l.id
  LEFT JOIN servicing_overduerule r ON r.product_code = l.product_code
  LEFT JOIN servicing_overduerule g ON g.product_code = ''
  WHERE l.id >= %s AND l.id < %s AND l.status IN {open}
) s
"""


def band_case(column: str, bands: tuple[Band, ...]) -> tuple[str, list[Any]]:
    """A CASE expression giving the code of the band that holds the integer ``column`` (bands as
    ``overdue.check_bands`` accepts them: contiguous from 0, the last open-ended), and its parameters."""
    whens, params = [], []
    for band in bands[:-1]:
        whens.append(f"WHEN {column} <= %s THEN %s")
        params.extend([band.max_dpd, band.code])
    return f"CASE {' '.join(whens)} ELSE %s END", [*params, bands[-1].code]


def recompute_loans(day: dt.date, lo: int, hi: int, as_of: dt.date) -> tuple[int, int]:
    """DPD, bucket, classification and status of the range's open loans; (loans, bucket changes)."""
    sql.scratch_table(STANDING, STANDING_COLUMNS)
    bucket, bucket_params = band_case("dpd", bucket_bands())
    risk_class, class_params = band_case("dpd", class_bands())
    late = sql.days(sql.date_param(), "o.oldest")
    query = _STANDING.format(
        standing=STANDING, bucket=bucket, risk_class=risk_class, rows=ROWS, late=late, as_of=sql.date_param(),
        open=sql.OPEN,
    )  # fmt: skip
    when = sql.day(as_of)
    loans = sql.execute(query, [*bucket_params, *class_params, when, when, when, lo, hi])
    changes = sql.execute(
        "INSERT INTO servicing_bucketchange (loan_id, business_date, from_bucket, to_bucket, dpd) "  # noqa: S608
        f"SELECT loan_id, {sql.date_param()}, old_bucket, bucket, dpd FROM {STANDING} WHERE bucket <> old_bucket",
        [sql.day(day)],
    )
    sql.execute(
        f"UPDATE loans_loan SET dpd = s.dpd, bucket = s.bucket, risk_class = s.risk_class, status = s.status, "  # noqa: S608
        f"paid_off_on = CASE WHEN s.status = 'paid_off' THEN {sql.date_param()} ELSE loans_loan.paid_off_on END "
        f"FROM (SELECT * FROM {STANDING} WHERE dpd <> old_dpd OR bucket <> old_bucket OR risk_class <> old_class "
        "OR status <> old_status) s WHERE loans_loan.id = s.loan_id",
        [sql.day(day)],
    )
    return loans, changes


def write_events(day: dt.date) -> None:
    mark = sql.date_param()
    sql.execute(
        f"INSERT INTO servicing_loanevent (business_date, kind, loan_id) SELECT {mark}, 'became_overdue', loan_id "  # noqa: S608
        f"FROM {STANDING} WHERE old_status = 'active' AND status = 'overdue'",
        [sql.day(day)],
    )
    sql.execute(
        f"INSERT INTO servicing_loanevent (business_date, kind, loan_id) SELECT DISTINCT {mark}, 'due_tomorrow', "  # noqa: S608
        f"w.loan_id FROM {ROWS} w JOIN {STANDING} s ON s.loan_id = w.loan_id "
        f"WHERE s.status <> 'paid_off' AND w.status <> 'paid' AND w.due_date = {mark}",
        [sql.day(day), sql.day(day + dt.timedelta(days=2))],
    )


_SNAPSHOT = """
INSERT INTO servicing_loansnapshot (loan_id, month, status, principal, interest, penalty, fee, advance, dpd, bucket,
    risk_class)
SELECT l.id, {month}, l.status, l.principal_outstanding, {interest}, {penalty}, {fee}, l.advance_balance, l.dpd,
       l.bucket, l.risk_class
FROM loans_loan l JOIN loans_installment i ON i.loan_id = l.id AND i.version = l.schedule_version
WHERE i.loan_id >= %s AND i.loan_id < %s AND l.id IN (SELECT loan_id FROM {standing})
GROUP BY l.id, l.status, l.principal_outstanding, l.advance_balance, l.dpd, l.bucket, l.risk_class
"""


def write_snapshots(month: dt.date, lo: int, hi: int) -> int:
    """The month-end row of every loan the partition processed (open when it started)."""

    def owed(due: str, paid: str) -> str:
        return sql.from_fen(f"SUM({sql.fen('i.' + due)} - {sql.fen('i.' + paid)})")

    query = _SNAPSHOT.format(
        month=sql.date_param(), interest=owed("interest_accrued", "interest_paid"),
        penalty=owed("penalty_due", "penalty_paid"), fee=owed("fee_due", "fee_paid"), standing=STANDING,
    )  # fmt: skip
    return sql.execute(query, [sql.day(month), lo, hi])
