"""Loan services: every write to loans, schedules and their money goes through here."""

from loancrm.loans.services.booking import HistoricPayment, LoanTerms, loan_book
from loancrm.loans.services.payments import advance_apply, clearing_account, payment_post, payment_post_locked
from loancrm.loans.services.prepayment import PayoffQuote, payoff_quote, prepayment_post
from loancrm.loans.services.reversal import payment_reverse

__all__ = [
    "HistoricPayment",
    "LoanTerms",
    "PayoffQuote",
    "advance_apply",
    "clearing_account",
    "loan_book",
    "payment_post",
    "payment_post_locked",
    "payment_reverse",
    "payoff_quote",
    "prepayment_post",
]
