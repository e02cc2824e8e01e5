"""Registers the loans app's batch jobs (importing a module registers its jobs): bank statements and the portfolio
import."""

from loancrm.loans.portfolio import job as portfolio_job  # noqa: F401
from loancrm.loans.statements import jobs as statement_jobs  # noqa: F401
