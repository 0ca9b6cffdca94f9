"""The overview's period chart: participants per insats in a period and a year earlier."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from charts.layout import DEFAULT_FONT_SIZE, empty_figure, finish_figure, new_figure, safe_label
from charts.palette import SERIES_COLOURS
from metrics.headlines import PeriodComparison
from presentation.numbers import SUPPRESSION_THRESHOLD, format_count, hidden_marker

_PATTERNS = {"now": "", "earlier": "/"}


def period_bars(
    comparison: PeriodComparison,
    *,
    font_size: int = DEFAULT_FONT_SIZE,
    threshold: int = SUPPRESSION_THRESHOLD,
) -> go.Figure:
    """Horizontal bars per insats, the period beside the same period a year earlier.

    A hidden count draws no bar; its place says "<5" or "dold" and a note says why.
    """
    title = "Deltagare under perioden och samma period året innan"
    frame = comparison.by_project
    if frame.height == 0:
        return empty_figure(title, font_size=font_size)
    projects = sorted(frame["project"].unique().to_list(), reverse=True)
    fig = new_figure()
    reasons: list[str | None] = []
    for index, (which, period) in enumerate(
        (("earlier", comparison.earlier), ("now", comparison.period))
    ):
        part = {
            r["project"]: r for r in frame.filter(pl.col("period") == which).iter_rows(named=True)
        }
        values: list[float | None] = []
        texts: list[str] = []
        for project in projects:
            row = part.get(project)
            if row is None or row["suppressed"]:
                reason = row["hidden_reason"] if row else None
                reasons.append(reason)
                values.append(None)
                texts.append(hidden_marker([reason], threshold))
            else:
                values.append(row["value"])
                texts.append(format_count(row["value"]))
        fig.add_trace(
            go.Bar(
                name=safe_label(period.label.capitalize()),
                y=[safe_label(p) for p in projects],
                x=values,
                orientation="h",
                text=texts,
                textposition="outside",
                marker={"color": SERIES_COLOURS[index], "pattern": {"shape": _PATTERNS[which]}},
                hovertemplate="%{y}: %{text} deltagare<extra>%{fullData.name}</extra>",
            )
        )
    fig.update_layout(barmode="group", xaxis={"title": "Deltagare", "rangemode": "tozero"})
    notes = []
    if reasons:
        notes.append(
            f"{hidden_marker(reasons, threshold)}: antalet visas inte, för att skydda små tal."
        )
    return finish_figure(
        fig,
        title,
        font_size=font_size,
        notes=notes,
        plot_height=max(160, 70 * len(projects)),
    )
