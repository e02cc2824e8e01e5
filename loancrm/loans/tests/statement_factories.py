"""Bank statement test helpers: a payment channel with its clearing account, statement files, and a comparison of
two loans' rows, transactions, parts and sub-ledgers field by field."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from loancrm.ledger.choices import AccountKind, Acct
from loancrm.ledger.models import JournalLine, LedgerAccount
from loancrm.loans.models import Installment, Loan, LoanTransaction, PaymentChannel, TransactionPart
from loancrm.loans.services import clearing_account

HEADERS = ["交易流水号", "合同号", "交易金额", "交易日期", "摘要"]


def make_channel(code: str = "ICBC", name: str = "工商银行代收") -> PaymentChannel:
    channel = PaymentChannel.objects.create(code=code, name=name, secret="s3cret")
    LedgerAccount.objects.get_or_create(
        code=clearing_account(code), defaults={"kind": AccountKind.ASSET, "name_zh": name, "name_en": code}
    )
    return channel


def csv_file(rows: list[list[Any]], headers: list[str] | None = None, name: str = "statement.csv",
             encoding: str = "utf-8") -> SimpleUploadedFile:  # fmt: skip
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers or HEADERS)
    writer.writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode(encoding))


def xlsx_file(rows: list[list[Any]], headers: list[str] | None = None, name: str = "statement.xlsx",
              preamble: list[list[Any]] = ()) -> SimpleUploadedFile:  # type: ignore[assignment]  # fmt: skip
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in preamble:
        sheet.append(row)
    sheet.append(headers or HEADERS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


ROW_FIELDS = (
    "version", "period", "due_date", "principal_due", "interest_due", "fee_due", "penalty_due", "interest_accrued",
    "principal_paid", "interest_paid", "fee_paid", "penalty_paid", "status", "paid_on",
)  # fmt: skip
TXN_FIELDS = (
    "kind", "status", "source", "amount", "principal", "interest", "penalty", "fee", "advance", "value_date",
    "channel_id", "reference", "reason", "from_version", "to_version", "posted_by_id",
)  # fmt: skip
LOAN_FIELDS = ("status", "schedule_version", "principal_outstanding", "advance_balance", "paid_off_on",
               "maturity_date", "principal", "annual_rate", "term_months", "method")  # fmt: skip


def loan_picture(loan_id: int, *, reference_map: dict[str, str] | None = None) -> dict[str, Any]:
    """Everything a repayment changes on a loan, without ids or timestamps: the loan, its rows, its repayments with
    their parts (by period/version), and its journal lines other than the clearing account (in order) and the
    balance of each account on the loan's lines."""
    loan = Loan.objects.get(pk=loan_id)
    rows = list(Installment.objects.filter(loan_id=loan_id).order_by("version", "period").values(*ROW_FIELDS))
    periods = dict(Installment.objects.filter(loan_id=loan_id).values_list("pk", "period"))
    versions = dict(Installment.objects.filter(loan_id=loan_id).values_list("pk", "version"))
    txns = []
    for txn in LoanTransaction.objects.filter(loan_id=loan_id).exclude(kind="disbursement").order_by("pk"):
        values = {name: getattr(txn, name) for name in TXN_FIELDS}
        if reference_map is not None:
            values["reference"] = reference_map.get(values["reference"], values["reference"])
        values["parts"] = [
            (versions[p.installment_id], periods[p.installment_id], p.component, p.amount)
            for p in TransactionPart.objects.filter(transaction=txn).order_by("pk")
        ]
        txns.append(values)
    codes = dict(LedgerAccount.objects.values_list("pk", "code"))
    lines = [
        (codes[line.account_id], line.debit, line.credit)
        for line in JournalLine.objects.filter(loan_id=loan_id).order_by("pk")
        if not codes[line.account_id].startswith(Acct.CLEARING_PREFIX)
    ]
    balances: dict[str, tuple[Decimal, Decimal]] = {}
    for code, debit, credit in lines:
        before = balances.get(code, (Decimal(0), Decimal(0)))
        balances[code] = (before[0] + debit, before[1] + credit)
    return {
        "loan": {name: getattr(loan, name) for name in LOAN_FIELDS},
        "rows": rows,
        "transactions": txns,
        "journal_lines": lines,
        "balances": balances,
    }


def ledger_balanced() -> tuple[Decimal, Decimal]:
    """Total debits and credits of the journal (summed here: SQLite sums decimals as floats)."""
    lines = list(JournalLine.objects.values_list("debit", "credit"))
    return sum((d for d, _c in lines), Decimal(0)), sum((c for _d, c in lines), Decimal(0))


def entries_balanced() -> bool:
    """Every journal entry's debits equal its credits."""
    totals: dict[int, Decimal] = {}
    for entry_id, debit, credit in JournalLine.objects.values_list("entry_id", "debit", "credit"):
        totals[entry_id] = totals.get(entry_id, Decimal(0)) + debit - credit
    return all(value == 0 for value in totals.values())


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)
