"""The loans app's routers: the open calculator, loan accounts, payments (channel notifications, postings)."""

from loancrm.loans import calculator_api, loans_api, payments_api

ROUTERS = [
    ("/calculator", calculator_api.router),
    ("/loans", loans_api.router),
    ("/payments", payments_api.router),
]
