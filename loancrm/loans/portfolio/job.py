"""The background run of a portfolio import: chunks of rows, each chunk in one transaction, each row booked through
``loan_book`` (origin migrated, its repayments to date replayed by ``history.replay``); resumable.

Invariants: a chunk's loans, customers, counts, errors and the cursor (``rows_done``) commit together, so a run
that dies resumes at the first uncommitted chunk and books no row twice; the chunk transaction locks the import row
and checks the cursor, so two workers cannot process the same chunk; each row books in a savepoint, so a refused row
leaves nothing (not even its new customer) and the chunk goes on; a row whose contract number is booked meanwhile
(another run) is skipped; the import ends done or failed (with the error), audited either way.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import islice
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from loancrm.core.audit import audit_event, register_action_labels
from loancrm.core.business_date import current_business_date
from loancrm.core.errors import Conflict, DomainError
from loancrm.jobs.registry import batch_job
from loancrm.jobs.runner import JobRunContext
from loancrm.loans.choices import ImportStatus, Origin
from loancrm.loans.errors import ContractExists
from loancrm.loans.models import Loan, PortfolioImport
from loancrm.loans.portfolio.checks import BOOK, SKIP, Decision, RowChecker
from loancrm.loans.portfolio.customers import migrated_customer_create
from loancrm.loans.portfolio.history import replay
from loancrm.loans.portfolio.services import CHUNK_SIZE, JOB_NAME, MAX_ERRORS, ensure_transition, portfolio_file
from loancrm.loans.services import HistoricPayment, LoanTerms, loan_book

register_action_labels(
    {
        "portfolio_import.uploaded": _("Portfolio file uploaded"),
        "portfolio_import.started": _("Portfolio import started"),
        "portfolio_import.finished": _("Portfolio import finished"),
        "portfolio_import.failed": _("Portfolio import failed"),
    }
)
ChunkCallback = Callable[[PortfolioImport], None]


def _book(imp: PortfolioImport, decision: Decision, created: dict[str, Any], actor: Any, business_date: Any) -> Any:
    """Book one decided row (the caller holds a savepoint); the customer it used."""
    row = decision.row
    assert row is not None
    customer = decision.customer or created.get(decision.id_digest)
    if customer is None:
        customer = migrated_customer_create(actor=actor, name=row.customer_name, id_number=row.id_number,
                                            mobile=row.mobile, owner=decision.officer, import_ref=str(imp))  # fmt: skip
    history = [
        HistoricPayment(payment.value_date, payment.amount, f"{imp} r{decision.number}")
        for payment in replay(
            row.schedule.lines,
            row.repaid_total,
            start_date=row.start_date,
            business_date=business_date,
            last_repaid_on=row.last_repaid_on,
        )
    ]
    terms = LoanTerms(contract_no=row.contract_no, product_code=row.product_code, principal=row.principal,
                      annual_rate=row.annual_rate, term_months=row.term_months, method=row.method,
                      start_date=row.start_date, term_days=row.term_days)  # fmt: skip
    loan_book(customer=customer, terms=terms, actor=actor, origin=Origin.MIGRATED, history=history)
    return customer


def _refused(decision: Decision, detail: str) -> dict[str, Any]:
    return {"row": decision.number, "field": "", "code": "booking_refused", "params": {"detail": detail[:300]}}


def _commit_chunk(imp: PortfolioImport, start: int, chunk: list[tuple[int, dict[str, str]]],
                  checker: RowChecker) -> dict[str, int]:  # fmt: skip
    counts = {"booked": 0, "skipped": 0, "rejected": 0}
    errors: list[dict[str, Any]] = []
    actor = imp.created_by
    with transaction.atomic():
        locked = PortfolioImport.objects.select_for_update().only("rows_done", "status", "errors").get(pk=imp.pk)
        if locked.rows_done != start or locked.status != ImportStatus.RUNNING:
            raise Conflict(_("Another worker is processing this import."))
        created: dict[str, Any] = {}
        for decision in checker.decide(chunk):
            if decision.outcome == SKIP:
                counts["skipped"] += 1
                continue
            if decision.outcome != BOOK:
                counts["rejected"] += 1
                errors += decision.error_dicts()
                continue
            try:
                with transaction.atomic():
                    created[decision.id_digest] = _book(imp, decision, created, actor, checker.business_date)
            except ContractExists:
                counts["skipped"] += 1  # booked by someone else since the chunk was decided
            except DomainError as exc:
                counts["rejected"] += 1
                errors.append(_refused(decision, exc.summary()))
            except IntegrityError as exc:  # a racing run or creator took the ID number or mobile since the decision
                if decision.row and Loan.objects.filter(contract_no=decision.row.contract_no).exists():
                    counts["skipped"] += 1  # another run of the same file booked it
                else:
                    counts["rejected"] += 1  # refuse, never merge
                    errors.append(_refused(decision, type(exc).__name__))
            else:
                counts["booked"] += 1
        stored = locked.errors + errors[: max(0, MAX_ERRORS - len(locked.errors))]
        PortfolioImport.objects.filter(pk=imp.pk).update(
            rows_done=F("rows_done") + len(chunk), booked=F("booked") + counts["booked"],
            skipped=F("skipped") + counts["skipped"], rejected=F("rejected") + counts["rejected"], errors=stored,
        )  # fmt: skip
    return counts


def _end(import_id: int, status: str, failure: str = "") -> None:
    with transaction.atomic():
        imp = PortfolioImport.objects.select_for_update().get(pk=import_id)
        ensure_transition(imp.status, status)
        imp.status, imp.failure = status, failure[:500]
        imp.finished_at = timezone.now() if status == ImportStatus.DONE else None
        imp.save(update_fields=["status", "failure", "finished_at"])
        summary = {"rows": imp.total_rows, "booked": imp.booked, "skipped": imp.skipped, "rejected": imp.rejected,
                   "failure": imp.failure}  # fmt: skip
        action = "portfolio_import.finished" if status == ImportStatus.DONE else "portfolio_import.failed"
        audit_event(imp.created_by, action, imp, summary)


def run_portfolio_import(
    import_id: int, ctx: JobRunContext | None = None, on_chunk: ChunkCallback | None = None
) -> None:
    """Book the rows not yet committed, chunk by chunk; mark the import done, or failed when anything raises."""
    imp = PortfolioImport.objects.select_related("created_by").get(pk=import_id)
    pf = portfolio_file(imp)
    checker = RowChecker(business_date=current_business_date(), today=timezone.localdate())
    done = imp.rows_done
    if ctx is not None:
        ctx.set_total(imp.total_rows)
        if done:
            ctx.log(f"resuming after {done} committed rows")
    try:
        with translation.override(settings.LANGUAGE_CODE):  # refusal details are stored in the default language
            if done:
                checker.remember_contracts(islice(pf.rows(), done))
            rows = pf.rows(done)
            while chunk := list(islice(rows, CHUNK_SIZE)):
                counts = _commit_chunk(imp, done, chunk, checker)
                done += len(chunk)
                if ctx is not None:
                    ctx.advance(processed=len(chunk), failed=counts["rejected"], cursor={"rows_done": done})
                if on_chunk is not None:
                    on_chunk(PortfolioImport.objects.get(pk=import_id))
    except BaseException as exc:  # an interrupted worker (SIGTERM, Ctrl-C) leaves the import resumable too
        _end(import_id, ImportStatus.FAILED, f"{type(exc).__name__}: {exc}")
        raise
    _end(import_id, ImportStatus.DONE)


@batch_job(JOB_NAME, _("Portfolio import"), per_business_date=False)
def run_portfolio_import_job(ctx: JobRunContext) -> None:
    run_portfolio_import(int(ctx.run.run_key.removeprefix("portfolio-")), ctx)
