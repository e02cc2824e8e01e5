"""Registers the loans app's batch jobs (importing a module registers its jobs)."""

from loancrm.loans.statements import jobs as statement_jobs  # noqa: F401
