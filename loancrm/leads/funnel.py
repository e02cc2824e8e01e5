"""Pipeline conversion analytics: how many leads reached each stage, the conversion between stages, the median time
spent in each stage — overall and by agent, team, channel, campaign or month of arrival.

A lead has *reached* a stage of the main path when its furthest stage (its current one or any it moved to) is that
stage or a later one, so a lead that skipped "preparing documents" still counts as having passed it. Rejections are
counted apart. Time in a stage is measured on the moves out of it (``changed_at - entered_from_at``).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Case, CharField, Count, F, IntegerField, Max, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce, Greatest, NullIf, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loancrm.leads.choices import Stage
from loancrm.leads.models import Lead, LeadStageChange

MAIN_PATH = [Stage.NEW, Stage.CONTACTED, Stage.INTERESTED, Stage.PREPARING, Stage.APPLIED, Stage.DISBURSED]
DIMENSIONS = {
    "": _("Overall"),
    "agent": _("Agent"),
    "team": _("Team"),
    "channel": _("Channel"),
    "campaign": _("Campaign"),
    "month": _("Month of arrival"),
}
_DIMENSION_FIELDS = {
    "agent": "owner__full_name",
    "team": "org_unit__name",
    "channel": "channel__name",
    "campaign": "campaign",
}


@dataclass
class StageFigure:
    stage: str
    label: str
    reached: int
    conversion: float | None  # share of the previous stage's leads that reached this one
    median_hours: float | None  # median time spent in this stage before moving on


@dataclass
class FunnelRow:
    key: str
    total: int
    rejected: int
    stages: list[StageFigure] = field(default_factory=list)

    @property
    def overall_conversion(self) -> float | None:
        """Share of arrived leads that were disbursed."""
        return self.stages[-1].reached / self.total if self.total else None


def _ordinal(field_name: str) -> Case:
    return Case(
        *[When(**{field_name: stage}, then=Value(index)) for index, stage in enumerate(MAIN_PATH)],
        default=Value(0),
        output_field=IntegerField(),
    )


def _dimension_expr(dimension: str) -> Any:
    if dimension == "month":
        return TruncMonth("created_at")
    if dimension == "agent":
        return Coalesce(NullIf("owner__full_name", Value("")), "owner__username", Value(""), output_field=CharField())
    if dimension in _DIMENSION_FIELDS:
        return Coalesce(F(_DIMENSION_FIELDS[dimension]), Value(""), output_field=CharField())
    return Value("", output_field=CharField())


def period_filter(qs: QuerySet[Lead], start: date | None, end: date | None) -> QuerySet[Lead]:
    """Leads that arrived between ``start`` and ``end`` (inclusive, local dates)."""
    zone = timezone.get_current_timezone()
    if start:
        qs = qs.filter(created_at__gte=datetime.combine(start, time.min, zone))
    if end:
        qs = qs.filter(created_at__lt=datetime.combine(end + timedelta(days=1), time.min, zone))
    return qs


def funnel(leads: QuerySet[Lead], dimension: str = "") -> list[FunnelRow]:
    """Funnel rows for ``leads`` (already scoped and filtered), one per value of ``dimension``, largest first."""
    if dimension not in DIMENSIONS:
        raise ValueError(dimension)
    furthest_move = Subquery(
        LeadStageChange.objects.filter(lead=OuterRef("pk"))
        .values("lead")
        .annotate(m=Max(_ordinal("to_stage")))
        .values("m")[:1],
        output_field=IntegerField(),
    )
    rows = (
        leads.order_by()
        .annotate(key=_dimension_expr(dimension), furthest=Greatest(_ordinal("stage"), Coalesce(furthest_move, 0)))
        .values("key", "furthest")
        .annotate(n=Count("id"), rejected=Count("id", filter=Q(stage=Stage.REJECTED)))
    )
    reached: dict[str, list[int]] = defaultdict(lambda: [0] * len(MAIN_PATH))
    rejected: dict[str, int] = defaultdict(int)
    for row in rows:
        key = _label(row["key"])
        for index in range(row["furthest"] + 1):
            reached[key][index] += row["n"]
        rejected[key] += row["rejected"]
    medians = _median_hours(leads, dimension)
    result = []
    for key, counts in reached.items():
        figures = []
        for index, stage in enumerate(MAIN_PATH):
            previous = counts[index - 1] if index else None
            conversion = counts[index] / previous if previous else None
            figures.append(
                StageFigure(stage, str(Stage(stage).label), counts[index], conversion, medians.get((key, stage)))
            )
        result.append(FunnelRow(key, counts[0], rejected[key], figures))
    return sorted(result, key=lambda row: (-row.total, row.key))


def _median_hours(leads: QuerySet[Lead], dimension: str) -> dict[tuple[str, str], float]:
    moves = (
        LeadStageChange.objects.filter(lead__in=leads.order_by().values("pk"))
        .annotate(key=_move_dimension(dimension))
        .values_list("key", "from_stage", "entered_from_at", "changed_at")
    )
    spans: dict[tuple[str, str], list[float]] = defaultdict(list)
    for key, stage, entered, left in moves.iterator(chunk_size=5000):
        spans[(_label(key), stage)].append((left - entered).total_seconds() / 3600)
    return {k: round(statistics.median(v), 1) for k, v in spans.items()}


def _label(key: Any) -> str:
    if isinstance(key, datetime):
        return timezone.localtime(key).strftime("%Y-%m") if timezone.is_aware(key) else key.strftime("%Y-%m")
    return str(key or "")


def _move_dimension(dimension: str) -> Any:
    if not dimension:
        return Value("", output_field=CharField())
    if dimension == "month":
        return TruncMonth("lead__created_at")
    if dimension == "agent":
        return Coalesce(
            NullIf("lead__owner__full_name", Value("")), "lead__owner__username", Value(""), output_field=CharField()
        )
    return Coalesce(F(f"lead__{_DIMENSION_FIELDS[dimension]}"), Value(""), output_field=CharField())


def chart_options(rows: list[FunnelRow], dimension: str) -> dict[str, Any]:
    """ECharts options: the funnel of the whole selection, and disbursed conversion per dimension value."""
    totals = [0] * len(MAIN_PATH)
    for row in rows:
        for index, figure in enumerate(row.stages):
            totals[index] += figure.reached
    labels = [str(Stage(stage).label) for stage in MAIN_PATH]
    options: dict[str, Any] = {
        "funnel": {
            "tooltip": {"trigger": "item"},
            "series": [
                {
                    "type": "funnel",
                    "sort": "none",
                    "minSize": "8%",
                    "label": {"show": True, "position": "inside"},
                    "data": [{"name": f"{label} {n}", "value": n} for label, n in zip(labels, totals, strict=True)],
                }
            ],
        }
    }
    if dimension:
        top = rows[:15]
        options["by_dimension"] = {
            "tooltip": {"trigger": "axis"},
            "grid": {"left": 120, "right": 20, "top": 20, "bottom": 60},
            "xAxis": {"type": "value", "axisLabel": {"formatter": "{value}%"}},
            "yAxis": {"type": "category", "inverse": True, "data": [row.key or "—" for row in top]},
            "series": [
                {
                    "type": "bar",
                    "name": str(_("Contacted → applied")),
                    "data": [_pct(row.stages[4].reached, row.stages[1].reached) for row in top],
                },
                {
                    "type": "bar",
                    "name": str(_("Arrived → disbursed")),
                    "data": [_pct(row.stages[-1].reached, row.total) for row in top],
                },
            ],
            "legend": {"bottom": 0},
        }
    return options


def _pct(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0
