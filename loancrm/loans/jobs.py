"""Registers the loans app's batch jobs: the portfolio import (``portfolio.job``)."""

from loancrm.loans.portfolio import job  # noqa: F401  (importing registers the job)
