"""A key number tile: value, its basis under it and the definition on hover."""

from __future__ import annotations

import polars as pl

from metrics.catalogue import CATALOGUE
from presentation.catalogue import definition
from presentation.key_numbers import basis_text, metric_row
from presentation.numbers import format_value


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
