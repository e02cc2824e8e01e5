"""Registers the lead-import batch job (defined in ``processing``)."""

from loancrm.imports import processing  # noqa: F401  (importing registers the job)
