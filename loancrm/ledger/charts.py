"""ECharts options of the trial-balance page (amounts stay decimal strings; the chart only draws them)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from loancrm.ledger.selectors import TrialBalance


def balance_chart(tb: TrialBalance) -> dict[str, Any]:
    """A bar per account with a closing balance (on its normal side), in chart-of-accounts order."""
    rows = [row for row in tb.rows if row.closing]
    return {
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 90, "right": 20, "top": 30, "bottom": 90},
        "xAxis": {
            "type": "category",
            "data": [f"{row.code} {row.name}" for row in rows],
            "axisLabel": {"rotate": 30, "interval": 0},
        },
        "yAxis": {"type": "value"},
        "series": [
            {
                "type": "bar",
                "name": _("Closing balance"),
                "data": [str(row.closing) for row in rows],
                "label": {"show": True, "position": "top"},
            }
        ],
    }
