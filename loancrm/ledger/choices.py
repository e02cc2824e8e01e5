"""Ledger choices: account kinds (with their normal side), the built-in chart of accounts, entry kinds."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AccountKind(models.TextChoices):
    ASSET = "asset", _("Asset")
    LIABILITY = "liability", _("Liability")
    EQUITY = "equity", _("Equity")
    INCOME = "income", _("Income")
    EXPENSE = "expense", _("Expense")


DEBIT_NORMAL = {AccountKind.ASSET, AccountKind.EXPENSE}


class Acct:
    """Codes of the built-in accounts (per-channel clearing accounts are ``CLEARING_PREFIX`` + channel code)."""

    PRINCIPAL = "1122.01"
    INTEREST = "1122.02"
    PENALTY = "1122.03"
    FEE = "1122.04"
    DISBURSEMENT = "1002.01"
    CLEARING_PREFIX = "1002.9."
    ADVANCE = "2241.01"
    SUSPENSE = "2241.99"
    MIGRATION = "3001.01"
    INTEREST_INCOME = "6011.01"
    PENALTY_INCOME = "6011.02"
    FEE_INCOME = "6021.01"


# code, kind, Chinese name, English name
CHART: tuple[tuple[str, str, str, str], ...] = (
    (Acct.PRINCIPAL, AccountKind.ASSET, "贷款本金应收", "Loan principal receivable"),
    (Acct.INTEREST, AccountKind.ASSET, "应收利息", "Interest receivable"),
    (Acct.PENALTY, AccountKind.ASSET, "应收罚息", "Penalty receivable"),
    (Acct.FEE, AccountKind.ASSET, "应收费用", "Fee receivable"),
    (Acct.DISBURSEMENT, AccountKind.ASSET, "放款清算户", "Disbursement clearing"),
    (Acct.ADVANCE, AccountKind.LIABILITY, "客户预收款", "Customer advance"),
    (Acct.SUSPENSE, AccountKind.LIABILITY, "待处理挂账", "Suspense"),
    (Acct.MIGRATION, AccountKind.EQUITY, "存量迁移过渡户", "Portfolio migration opening balance"),
    (Acct.INTEREST_INCOME, AccountKind.INCOME, "利息收入", "Interest income"),
    (Acct.PENALTY_INCOME, AccountKind.INCOME, "罚息收入", "Penalty income"),
    (Acct.FEE_INCOME, AccountKind.INCOME, "手续费收入", "Fee income"),
)


class EntryKind(models.TextChoices):
    DISBURSEMENT = "disbursement", _("Disbursement")
    MIGRATION = "migration", _("Migration")
    REPAYMENT = "repayment", _("Repayment")
    ACCRUAL = "accrual", _("Accrual")
    ADVANCE = "advance", _("Advance applied")
    REVERSAL = "reversal", _("Reversal")
    ADJUSTMENT = "adjustment", _("Adjustment")


class PeriodStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("period status", "Open")
    CLOSED = "closed", pgettext_lazy("period status", "Closed")
