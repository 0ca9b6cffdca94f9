"""Key numbers as users read them: value, its basis ("12 av 44") and the definition on hover."""

from __future__ import annotations

import polars as pl

from charts.numbers import format_n, format_value, hidden_text
from metrics.catalogue import CATALOGUE
from ui.catalogue import definition


def metric_row(frame: pl.DataFrame, metric_id: str) -> dict | None:
    rows = frame.filter(pl.col("metric") == metric_id)
    return rows.row(0, named=True) if rows.height else None


def show_kpi(container, frame: pl.DataFrame, metric_id: str, *, label: str | None = None) -> None:
    """One number with its denominator under it and its definition as help text."""
    metric = CATALOGUE[metric_id]
    row = metric_row(frame, metric_id) or {}
    suppressed = bool(row.get("suppressed"))
    reason = row.get("hidden_reason")
    value = format_value(row.get("value"), metric.kind, suppressed=suppressed, reason=reason)
    label = label or metric.label
    if metric.kind == "difference":
        # "+30,8 procentenheter" is too wide for a metric tile: the unit goes in the label.
        value = value.removesuffix(" procentenheter")
        label = f"{label} (procentenheter)"
    container.metric(label, value, help=definition(metric_id))
    if metric.kind in ("share", "median", "difference"):
        container.markdown(basis_text(row, metric.kind))


def basis_text(row: dict, kind: str) -> str:
    suppressed = bool(row.get("suppressed"))
    reason = row.get("hidden_reason")
    if kind == "share":
        return format_n(
            row.get("numerator"), row.get("denominator"), suppressed=suppressed, reason=reason
        )
    denominator = row.get("denominator")
    if denominator is None:
        return f"Underlag: {hidden_text(reason)}" if suppressed else "Underlag saknas"
    return f"Underlag: {format_value(denominator, 'count')} deltagare"
