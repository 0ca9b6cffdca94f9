"""Key numbers as users read them: a metric's row and its basis ("12 av 44")."""

from __future__ import annotations

from typing import Any

import polars as pl

from metrics.protection import SUPPRESSION_THRESHOLD
from presentation.numbers import format_n, format_value, hidden_text


def metric_row(frame: pl.DataFrame, metric_id: str) -> dict[str, Any] | None:
    """The row of one metric in a metric frame (``None`` when it is not there)."""
    rows = frame.filter(pl.col("metric") == metric_id)
    return rows.row(0, named=True) if rows.height else None


def basis_text(row: dict[str, Any], kind: str, threshold: int = SUPPRESSION_THRESHOLD) -> str:
    """What a value rests on: ``"12 av 44"`` for a share, ``"Underlag: 44 deltagare"`` else."""
    suppressed = bool(row.get("suppressed"))
    reason = row.get("hidden_reason")
    if kind == "share":
        return format_n(
            row.get("numerator"),
            row.get("denominator"),
            suppressed=suppressed,
            reason=reason,
            threshold=threshold,
        )
    denominator = row.get("denominator")
    if denominator is None:
        if suppressed:
            return f"Underlag: {hidden_text(reason, threshold)}"
        return "Underlag saknas"
    return f"Underlag: {format_value(denominator, 'count')} deltagare"
