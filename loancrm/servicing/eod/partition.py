"""One partition of the end-of-day run: the open loans with ``lo <= id < hi``, in the caller's transaction.

Steps, each one statement (or two) over the whole range:
1. advances held are applied to what fell due on the business date (``advance_apply``, only for the few loans
   holding an advance with something due);
2. interest accrual: every current instalment's ``interest_accrued`` brought to its interest to date
   (``overdue.interest_to_date``, computed in integer fen in SQL) — the difference goes to a work table;
3. penalty and compound interest on overdue instalments (``penalty``), differences to the same work table;
4. the partition's journal entry from the work table: per loan Dr interest receivable / Dr (or Cr) penalty
   receivable, against one Cr interest income and one penalty income line (lines carry the loan, the entry not);
5. the accrued interest written from the work table; instalment statuses (pending / due / overdue) as of the next
   day;
6. per loan: DPD, bucket and classification (looked up in their tables), status active ↔ overdue; every bucket
   change appended to ``BucketChange``;
7. events for later consumers (``LoanEvent``: due tomorrow, became overdue) and, on a month's last day, the
   month-end snapshot of every loan of the range (``LoanSnapshot``).

Everything is computed "as of" the day after the business date — the state the next business date opens with: a
payment on day P sees P − due days of penalty and P − start days of interest.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from loancrm.core.money import ZERO
from loancrm.ledger.choices import Acct, EntryKind
from loancrm.ledger.errors import PeriodClosed
from loancrm.ledger.models import JournalEntry, JournalLine
from loancrm.ledger.posting import account_id, period_is_closed
from loancrm.loans.services import advance_apply
from loancrm.servicing.eod import sql
from loancrm.servicing.eod.penalty import accrue_penalty
from loancrm.servicing.rules import Rules

DELTA = "eod_delta"
DELTA_COLUMNS = "installment_id bigint, loan_id bigint, interest_fen bigint, penalty_fen bigint"
STANDING = "eod_standing"
STANDING_COLUMNS = (
    "loan_id bigint, old_bucket varchar(8), old_status varchar(12), dpd integer, unpaid integer, bucket varchar(8), "
    "risk_class varchar(16), status varchar(12)"
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
    lock_loans(lo, hi)
    result.advances = apply_advances(day, lo, hi)
    sql.scratch_table(DELTA, DELTA_COLUMNS)
    result.interest_rows = accrue_interest(lo, hi, as_of)
    result.penalty_rows = accrue_penalty(lo, hi, as_of, Rules(), DELTA)
    post_journal(day, lo, hi)
    write_interest()
    set_instalment_statuses(lo, hi, as_of)
    result.loans, result.bucket_changes = recompute_loans(day, lo, hi, as_of)
    write_events(day, lo, hi, as_of)
    if as_of.day == 1:
        write_snapshots(day.replace(day=1))
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


_ACCRUE = """
INSERT INTO {delta} (installment_id, loan_id, interest_fen, penalty_fen)
SELECT id, loan_id, target - accrued, 0 FROM (
  SELECT id, loan_id, accrued,
         CASE WHEN period_days <= 0 OR elapsed >= period_days THEN due
              ELSE (2 * due * elapsed + period_days) / (2 * period_days) END AS target
  FROM (
    SELECT id, loan_id, {due} AS due, {accrued} AS accrued, {period_days} AS period_days, {elapsed} AS elapsed
    FROM (
      SELECT i.id, i.loan_id, i.interest_due, i.interest_accrued, i.due_date,
             COALESCE(LAG(i.due_date) OVER (PARTITION BY i.loan_id ORDER BY i.period), l.start_date) AS start
      FROM loans_installment i JOIN loans_loan l ON l.id = i.loan_id AND i.version = l.schedule_version
      WHERE l.id >= %s AND l.id < %s AND l.status IN {open}
    ) r WHERE r.interest_accrued < r.interest_due AND r.start < {as_of}
  ) c WHERE elapsed > 0
) x WHERE target > accrued
"""


def accrue_interest(lo: int, hi: int, as_of: dt.date) -> int:
    query = _ACCRUE.format(
        delta=DELTA, due=sql.fen("r.interest_due"), accrued=sql.fen("r.interest_accrued"),
        period_days=sql.days("r.due_date", "r.start"), elapsed=sql.days(sql.date_param(), "r.start"),
        open=sql.OPEN, as_of=sql.date_param(),
    )  # fmt: skip
    return sql.execute(query, [sql.day(as_of), lo, hi, sql.day(as_of)])


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
    insert = "INSERT INTO ledger_journalline (entry_id, account_id, loan_id, debit, credit) "
    for account, column, sign, side in (
        (Acct.INTEREST, "i", "", "debit"),
        (Acct.PENALTY, "p", "", "debit"),
        (Acct.PENALTY, "p", "-", "credit"),
    ):
        amount = sql.from_fen(f"{sign}g.{column}")
        debit, credit = (amount, "0") if side == "debit" else ("0", amount)
        sql.execute(
            insert + f"SELECT %s, %s, g.loan_id, {debit}, {credit} FROM ({_PER_LOAN}) g "  # noqa: S608
            f"WHERE {sign}g.{column} > 0 ORDER BY g.loan_id",
            [entry.pk, account_id(account)],
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
    sql.execute(
        f"UPDATE loans_installment SET interest_accrued = {sql.from_fen(sql.fen('interest_accrued') + ' + d.f')} "  # noqa: S608
        f"FROM (SELECT installment_id, SUM(interest_fen) AS f FROM {DELTA} WHERE interest_fen <> 0 "
        "GROUP BY installment_id) d WHERE loans_installment.id = d.installment_id"
    )


def set_instalment_statuses(lo: int, hi: int, as_of: dt.date) -> int:
    mark = sql.date_param()
    target = f"CASE WHEN due_date < {mark} THEN 'overdue' WHEN due_date = {mark} THEN 'due' ELSE 'pending' END"
    when = [sql.day(as_of), sql.day(as_of)]
    return sql.execute(
        f"UPDATE loans_installment SET status = {target} "  # noqa: S608
        f"WHERE loan_id IN (SELECT id FROM loans_loan WHERE id >= %s AND id < %s AND status IN {sql.OPEN}) "
        "AND version = (SELECT l.schedule_version FROM loans_loan l WHERE l.id = loans_installment.loan_id) "
        f"AND status <> 'paid' AND status <> {target}",
        [*when, lo, hi, *when],
    )


_STANDING = """
INSERT INTO {standing} (loan_id, old_bucket, old_status, dpd, unpaid, bucket, risk_class, status)
SELECT loan_id, old_bucket, old_status, dpd, unpaid,
       (SELECT b.code FROM servicing_dpdbucket b WHERE b.min_dpd <= s.dpd AND (b.max_dpd IS NULL OR s.dpd <= b.max_dpd)
        ORDER BY b.min_dpd LIMIT 1),
       (SELECT c.risk_class FROM servicing_riskclassband c WHERE c.min_dpd <= s.dpd
        AND (c.max_dpd IS NULL OR s.dpd <= c.max_dpd) ORDER BY c.min_dpd LIMIT 1),
       CASE WHEN unpaid = 0 AND outstanding = 0 THEN 'paid_off' WHEN dpd > 0 THEN 'overdue' ELSE 'active' END
FROM (
  SELECT l.id AS loan_id, l.bucket AS old_bucket, l.status AS old_status, COALESCE(o.unpaid, 0) AS unpaid,
         {outstanding} AS outstanding,
         CASE WHEN o.oldest IS NULL THEN 0
              WHEN {late} > COALESCE(r.grace_days, g.grace_days, 0) THEN {late} ELSE 0 END AS dpd
  FROM loans_loan l
  LEFT JOIN (
    SELECT i.loan_id, MIN(CASE WHEN i.due_date < {as_of} THEN i.due_date END) AS oldest, COUNT(*) AS unpaid
    FROM loans_installment i JOIN loans_loan x ON x.id = i.loan_id AND i.version = x.schedule_version
    WHERE x.id >= %s AND x.id < %s AND x.status IN {open} AND i.status <> 'paid'
    GROUP BY i.loan_id
  ) o ON o.loan_id = l.id
  LEFT JOIN servicing_overduerule r ON r.product_code = l.product_code
  LEFT JOIN servicing_overduerule g ON g.product_code = ''
  WHERE l.id >= %s AND l.id < %s AND l.status IN {open}
) s
"""


def recompute_loans(day: dt.date, lo: int, hi: int, as_of: dt.date) -> tuple[int, int]:
    """DPD, bucket, classification and status of the range's open loans; (loans, bucket changes)."""
    sql.scratch_table(STANDING, STANDING_COLUMNS)
    late = sql.days(sql.date_param(), "o.oldest")
    query = _STANDING.format(
        standing=STANDING, outstanding=sql.fen("l.principal_outstanding"), late=late, as_of=sql.date_param(),
        open=sql.OPEN,
    )  # fmt: skip
    when = sql.day(as_of)
    loans = sql.execute(query, [when, when, when, lo, hi, lo, hi])
    changes = sql.execute(
        "INSERT INTO servicing_bucketchange (loan_id, business_date, from_bucket, to_bucket, dpd) "  # noqa: S608
        f"SELECT loan_id, {sql.date_param()}, old_bucket, bucket, dpd FROM {STANDING} WHERE bucket <> old_bucket",
        [sql.day(day)],
    )
    sql.execute(
        f"UPDATE loans_loan SET dpd = s.dpd, bucket = s.bucket, risk_class = s.risk_class, status = s.status, "  # noqa: S608
        f"paid_off_on = CASE WHEN s.status = 'paid_off' THEN {sql.date_param()} ELSE loans_loan.paid_off_on END "
        f"FROM {STANDING} s WHERE loans_loan.id = s.loan_id AND (loans_loan.dpd <> s.dpd "
        "OR loans_loan.bucket <> s.bucket OR loans_loan.risk_class <> s.risk_class OR loans_loan.status <> s.status)",
        [sql.day(day)],
    )
    return loans, changes


def write_events(day: dt.date, lo: int, hi: int, as_of: dt.date) -> None:
    mark = sql.date_param()
    sql.execute(
        f"INSERT INTO servicing_loanevent (business_date, kind, loan_id) SELECT {mark}, 'became_overdue', loan_id "  # noqa: S608
        f"FROM {STANDING} WHERE old_status = 'active' AND status = 'overdue'",
        [sql.day(day)],
    )
    sql.execute(
        f"INSERT INTO servicing_loanevent (business_date, kind, loan_id) SELECT DISTINCT {mark}, 'due_tomorrow', "  # noqa: S608
        "i.loan_id FROM loans_installment i JOIN loans_loan l ON l.id = i.loan_id AND i.version = l.schedule_version "
        f"WHERE l.id >= %s AND l.id < %s AND l.status IN {sql.OPEN} AND i.status <> 'paid' AND i.due_date = {mark}",
        [sql.day(day), lo, hi, sql.day(as_of + dt.timedelta(days=1))],
    )


_SNAPSHOT = """
INSERT INTO servicing_loansnapshot (loan_id, month, status, principal, interest, penalty, fee, advance, dpd, bucket,
    risk_class)
SELECT l.id, {month}, l.status, l.principal_outstanding, {interest}, {penalty}, {fee}, l.advance_balance, l.dpd,
       l.bucket, l.risk_class
FROM loans_loan l JOIN loans_installment i ON i.loan_id = l.id AND i.version = l.schedule_version
WHERE l.id IN (SELECT loan_id FROM {standing})
GROUP BY l.id, l.status, l.principal_outstanding, l.advance_balance, l.dpd, l.bucket, l.risk_class
"""


def write_snapshots(month: dt.date) -> int:
    """The month-end row of every loan the partition processed (open when it started)."""

    def owed(due: str, paid: str) -> str:
        return sql.from_fen(f"SUM({sql.fen('i.' + due)} - {sql.fen('i.' + paid)})")

    query = _SNAPSHOT.format(
        month=sql.date_param(), interest=owed("interest_accrued", "interest_paid"),
        penalty=owed("penalty_due", "penalty_paid"), fee=owed("fee_due", "fee_paid"), standing=STANDING,
    )  # fmt: skip
    return sql.execute(query, [sql.day(month)])
