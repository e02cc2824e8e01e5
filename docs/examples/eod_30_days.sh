#!/bin/bash
# Must-show of #6: 30 consecutive end-of-day runs over the demo book on SQLite, once per day (copy a) and twice per
# day (copy b); the balances, journal totals and bucket history are compared and ledger_check runs on both.
# Usage: bash docs/examples/eod_30_days.sh   (after make install; takes about three minutes)
set -e
cd "$(dirname "$0")/../.."
M=".venv/bin/python manage.py"
D=$(mktemp -d)
export DJANGO_SETTINGS_MODULE=config.settings.base
unset DATABASE_URL
SQLITE_PATH=$D/a.sqlite3 $M migrate -v0
t0=$(date +%s); SQLITE_PATH=$D/a.sqlite3 $M seed_demo > $D/seed.log 2>&1; echo "seed_demo $(( $(date +%s) - t0 )) s"
cp $D/a.sqlite3 $D/b.sqlite3
for i in $(seq 1 30); do
  day=$(sqlite3 $D/a.sqlite3 "select current from core_businessdate where singleton = 1")
  SQLITE_PATH=$D/a.sqlite3 $M eod_run --date $day >> $D/a.log
  SQLITE_PATH=$D/b.sqlite3 $M eod_run --date $day >> $D/b.log
  SQLITE_PATH=$D/b.sqlite3 $M eod_run --date $day >> $D/b.log
done
tail -3 $D/a.log; tail -4 $D/b.log
for db in a b; do
  sqlite3 $D/$db.sqlite3 "SELECT l.contract_no, l.status, l.dpd, l.bucket, l.risk_class, l.principal_outstanding, l.advance_balance, SUM(i.interest_accrued), SUM(i.penalty_due), SUM(i.penalty_paid), GROUP_CONCAT(i.status) FROM loans_loan l JOIN loans_installment i ON i.loan_id = l.id AND i.version = l.schedule_version GROUP BY l.id ORDER BY l.contract_no" > $D/$db.loans
  sqlite3 $D/$db.sqlite3 "SELECT a.code, printf('%.2f', SUM(j.debit)), printf('%.2f', SUM(j.credit)) FROM ledger_journalline j JOIN ledger_ledgeraccount a ON a.id = j.account_id GROUP BY a.code ORDER BY a.code" > $D/$db.accounts
  sqlite3 $D/$db.sqlite3 "SELECT business_date, from_bucket, to_bucket, count(*) FROM servicing_bucketchange GROUP BY 1,2,3 ORDER BY 1,2,3" > $D/$db.changes
  SQLITE_PATH=$D/$db.sqlite3 $M ledger_check > $D/$db.check 2>&1 && echo "ledger_check $db: $(tail -1 $D/$db.check)"
done
wc -l $D/a.loans $D/a.accounts $D/a.changes
cmp $D/a.loans $D/b.loans && cmp $D/a.accounts $D/b.accounts && cmp $D/a.changes $D/b.changes && echo "SAME balances, journal totals and bucket history after 30 days once vs twice per day"
cat $D/a.accounts
