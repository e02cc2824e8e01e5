"""Reads of lead imports, scoped to the viewer: own uploads, the team's (sales lead) or all (administrator)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from loancrm.accounts.scope import scope_q
from loancrm.imports.models import LeadImport


def imports_visible_to(viewer: Any) -> QuerySet[LeadImport]:
    if not viewer.has_perm("imports.view_leadimport"):
        return LeadImport.objects.none()
    return LeadImport.objects.filter(scope_q(viewer, owner="created_by", org_unit="org_unit")).select_related(
        "channel", "created_by", "job_run"
    )


def access_import(viewer: Any, pk: int) -> LeadImport:
    """An import the viewer may see; otherwise the same 404 as a missing one."""
    lead_import = imports_visible_to(viewer).filter(pk=pk).first()
    if lead_import is None:
        raise Http404
    return lead_import


def channel_id(code: str) -> int | None:
    """The id of the channel with this code, or None (which ``import_upload`` refuses as an unknown channel)."""
    from loancrm.leads.models import Channel

    return Channel.objects.filter(code=code.strip()).values_list("pk", flat=True).first()


def field_choices() -> list[tuple[str, Any]]:
    """(field, label) of every lead field a column can feed, as the mapping form offers them."""
    from loancrm.imports.mapping import FIELDS
    from loancrm.imports.rejects import field_label

    return [(name, field_label(name)) for name in FIELDS]


def preview_rows(lead_import: LeadImport, limit: int = 10) -> list[dict[str, Any]]:
    """The first ``limit`` data rows under the current mapping: the mapped values and the field errors."""
    from itertools import islice

    from loancrm.imports.processing import data_rows, raw_lead
    from loancrm.imports.rejects import row_reason
    from loancrm.leads.services import clean_lead

    mapped = [name for name in lead_import.mapping if name]
    rows = []
    for number, cells in islice(data_rows(lead_import), limit):
        raw = raw_lead(lead_import, cells)
        errors = clean_lead(raw)[1]
        rows.append(
            {
                "number": number,
                "values": [(name, raw.get(name, "")) for name in mapped],
                "problem": row_reason("invalid", raw) if errors else "",
            }
        )
    return rows
