"""Credit data: PBOC report figures, scores, the uploaded report file and its audited download.

Invariants: a report file is a PDF, JPEG or PNG (extension and leading bytes agree) of at most 10 MB, stored under
a random name in private storage only after every check passed; a replaced file is deleted only after the
transaction commits; downloading
needs ``customers.view_credit_report`` and the customer in scope, and every download writes an audit event.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import IO, Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loancrm.core.audit import audit_event
from loancrm.core.errors import NotFound, PermissionDenied
from loancrm.core.money import to_money
from loancrm.customers.models import CreditProfile
from loancrm.customers.services.common import Errors, SectionAudit, check_money, check_range, locked_customer, raise_if
from loancrm.customers.services.common import snapshot as take
from loancrm.customers.storage import ALLOWED_EXTENSIONS, MAX_REPORT_BYTES

FIGURES = (
    "report_date", "account_count", "overdue_account_count", "max_overdue_months", "inquiries_3m", "inquiries_6m",
    "outstanding_debt", "zhima_score", "other_score_provider", "other_score",
)  # fmt: skip
SIGNATURES = {
    ".pdf": (b"%PDF",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
}


def _check_file(upload: UploadedFile, errors: Errors) -> None:
    suffix = Path(upload.name or "").suffix.lower()
    if suffix not in ALLOWED_EXTENSIONS:
        errors.setdefault("report_file", []).append(_("Upload a PDF, JPG or PNG file."))
        return
    if (upload.size or 0) > MAX_REPORT_BYTES:
        errors.setdefault("report_file", []).append(_("The file is larger than 10 MB."))
        return
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if not head.startswith(SIGNATURES[suffix]):
        errors.setdefault("report_file", []).append(_("The file content does not match its type."))


def _digest(upload: UploadedFile) -> str:
    sha = hashlib.sha256()
    for chunk in upload.chunks():
        sha.update(chunk)
    upload.seek(0)
    return sha.hexdigest()


@transaction.atomic
def customer_update_credit(
    *,
    actor: Any,
    customer_id: int,
    values: dict[str, Any],
    report_file: UploadedFile | None = None,
    request: HttpRequest | None = None,
) -> CreditProfile:
    """Report figures and scores (Zhima 350–950, other scores 0–1000), and optionally a new report file."""
    customer = locked_customer(actor, customer_id)
    errors: Errors = {}
    clean: dict[str, Any] = {key: values.get(key) for key in FIGURES}
    clean["other_score_provider"] = str(clean["other_score_provider"] or "").strip()
    if clean["outstanding_debt"] not in (None, ""):
        clean["outstanding_debt"] = to_money(clean["outstanding_debt"])
    check_money(clean["outstanding_debt"], "outstanding_debt", errors)
    for key in ("account_count", "overdue_account_count", "max_overdue_months", "inquiries_3m", "inquiries_6m"):
        check_range(clean[key], key, errors, 0, 999)
    check_range(clean["zhima_score"], "zhima_score", errors, 350, 950)
    check_range(clean["other_score"], "other_score", errors, 0, 1000)
    if clean["report_date"] and clean["report_date"] > timezone.localdate():
        errors.setdefault("report_date", []).append(_("The date cannot be in the future."))
    if (clean["overdue_account_count"] or 0) > (clean["account_count"] or 0) and clean["account_count"] is not None:
        errors.setdefault("overdue_account_count", []).append(_("More overdue accounts than accounts."))
    three, six = clean["inquiries_3m"], clean["inquiries_6m"]
    if three is not None and six is not None and three > six:
        errors.setdefault("inquiries_6m", []).append(_("The 6-month count includes the last 3 months."))
    if report_file is not None:
        _check_file(report_file, errors)
    raise_if(errors)
    credit, _new = CreditProfile.objects.select_for_update().get_or_create(customer=customer)
    audit = SectionAudit(lambda masked: take(credit, FIGURES))
    for key, value in clean.items():
        setattr(credit, key, value)
    if report_file is not None:
        old = credit.report_file.name
        digest = _digest(report_file)
        credit.report_file.save(report_file.name or "report", report_file, save=False)
        credit.report_uploaded_at = timezone.now()
        if old:
            storage = credit.report_file.storage
            transaction.on_commit(lambda: storage.delete(old))
        audit_event(actor, "customer.credit_report_uploaded", customer,
                    {"size": report_file.size, "sha256": digest}, request)  # fmt: skip
    credit.save()
    audit.write(actor, customer, "credit", request)
    return credit


def credit_report_open(
    *, actor: Any, customer_id: int, request: HttpRequest | None = None
) -> tuple[IO[bytes], str, str]:
    """Open the customer's report for download: (file, download name, content type); audited."""
    if not actor.has_perm("customers.view_credit_report"):
        raise PermissionDenied()
    with transaction.atomic():
        customer = locked_customer(actor, customer_id, perm="customers.view_customer")
        credit = CreditProfile.objects.filter(customer=customer).first()
        if credit is None or not credit.report_file:
            raise NotFound()
        audit_event(actor, "customer.credit_report_downloaded", customer, {"file": Path(credit.report_file.name).name},
                    request)  # fmt: skip
    suffix = Path(credit.report_file.name).suffix.lower()
    handle = credit.report_file.storage.open(credit.report_file.name, "rb")
    return handle, f"{customer.number}-credit-report{suffix}", ALLOWED_EXTENSIONS[suffix]
