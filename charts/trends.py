"""A metric month by month, from the monthly snapshots."""

from __future__ import annotations

import datetime as dt

import plotly.graph_objects as go
import polars as pl
from babel.dates import format_date

from charts.layout import (
    DEFAULT_FONT_SIZE,
    as_frame,
    column_or_none,
    empty_figure,
    finish_figure,
    new_figure,
    share_axis,
    single_metric,
    suppressed_flags,
    suppression_note,
    unit_name,
)
from charts.palette import series_style
from ingest.schema import REPORT_MONTH_FIELD
from presentation.numbers import (
    MISSING_TEXT,
    SUPPRESSION_THRESHOLD,
    MetricKind,
    format_n,
    format_value,
    hidden_text,
)


def month_label(month: str) -> str:
    """ "2019-03" -> "mar. 2019"; anything else is shown as it is."""
    try:
        first = dt.date.fromisoformat(f"{month}-01")
    except ValueError:
        return month
    return format_date(first, "MMM y", locale="sv_SE")


def trend_lines(
    metric_frame: pl.DataFrame | pl.LazyFrame,
    value_label: str,
    group_column: str | None = None,
    *,
    value_kind: MetricKind = "share",
    title: str | None = None,
    font_size: int = DEFAULT_FONT_SIZE,
    threshold: int = SUPPRESSION_THRESHOLD,
) -> go.Figure:
    """``value`` by ``report_month``, one line with markers per group, intervals as error bars.

    Each group has its own colour, marker shape and dash. A hidden (suppressed) month
    breaks the line rather than being drawn as zero, and is named under the chart.
    """
    title = title or f"{value_label} per rapportmånad"
    data = single_metric(as_frame(metric_frame))
    if data.is_empty():
        return empty_figure(title, font_size=font_size)
    months = sorted(data.get_column(REPORT_MONTH_FIELD).unique().to_list())
    if group_column is None:
        data = data.with_columns(pl.lit(None, dtype=pl.String).alias("__group"))
        group_key = "__group"
    else:
        group_key = group_column
    if data.select(group_key, REPORT_MONTH_FIELD).is_duplicated().any():
        raise ValueError("en rad per grupp och rapportmånad väntades")

    fig = new_figure()
    hidden_names: list[tuple[str, str | None]] = []
    groups = data.get_column(group_key).unique(maintain_order=True).to_list()
    with_interval = value_kind == "share" and "ci_low" in data.columns
    for index, group in enumerate(groups):
        part = data.filter(pl.col(group_key).eq_missing(group)).sort(REPORT_MONTH_FIELD)
        name = value_label if group_column is None else unit_name(group_column, group)
        colour, symbol, dash = series_style(index)
        hidden = suppressed_flags(part)
        reasons = iter(column_or_none(part, "hidden_reason"))
        x = part.get_column(REPORT_MONTH_FIELD).to_list()
        values = column_or_none(part, "value")
        y = [None if h else v for v, h in zip(values, hidden, strict=True)]
        lows = column_or_none(part, "ci_low")
        highs = column_or_none(part, "ci_high")
        hovers = []
        for month, value, num, den, low, high, is_hidden in zip(
            x,
            values,
            column_or_none(part, "numerator"),
            column_or_none(part, "denominator"),
            lows,
            highs,
            hidden,
            strict=True,
        ):
            lines = [f"<b>{name}</b>, {month_label(month)}"]
            reason = next(reasons)
            if is_hidden:
                hidden_names.append((f"{name} {month_label(month)}", reason))
                lines.append(f"{value_label}: {hidden_text(reason, threshold)}")
            elif value is None:
                lines.append(f"{value_label}: {MISSING_TEXT}")
            else:
                lines.append(f"{value_label}: {format_value(value, value_kind)}")
                if value_kind in ("share", "count"):
                    lines.append(format_n(num, den if value_kind == "share" else None))
                if low is not None and high is not None:
                    lines.append(
                        f"95 %-konfidensintervall: {format_value(low, value_kind)} – "
                        f"{format_value(high, value_kind)}"
                    )
            hovers.append("<br>".join(lines))
        error_y = None
        if with_interval:
            error_y = {
                "type": "data",
                "symmetric": False,
                "array": [
                    None if v is None or h is None else h - v for v, h in zip(y, highs, strict=True)
                ],
                "arrayminus": [
                    None if v is None or lo is None else v - lo
                    for v, lo in zip(y, lows, strict=True)
                ],
                "color": colour,
                "thickness": 1.5,
                "width": 4,
            }
        fig.add_trace(
            go.Scatter(
                x=x,
                y=y,
                mode="lines+markers",
                name=name,
                connectgaps=False,
                line={"color": colour, "dash": dash, "width": 2.5},
                marker={"symbol": symbol, "size": 10, "color": colour},
                error_y=error_y,
                hovertext=hovers,
                hovertemplate="%{hovertext}<extra></extra>",
                showlegend=group_column is not None,
            )
        )
    fig.update_xaxes(
        title={"text": "Rapportmånad"},
        type="category",
        categoryorder="array",
        categoryarray=months,
        tickvals=months,
        ticktext=[month_label(m) for m in months],
    )
    if value_kind == "share":
        shown = [v for trace in fig.data for v in trace.y if v is not None]
        highs_all = column_or_none(data, "ci_high") if with_interval else []
        upper = max([*shown, *[h for h in highs_all if h is not None]], default=None)
        fig.update_yaxes(**share_axis(upper, value_label))
    else:
        fig.update_yaxes(title={"text": value_label}, rangemode="tozero")
    notes = []
    if with_interval:
        notes.append("Strecken vid punkterna visar 95 %-konfidensintervall.")
    if hidden_names:
        notes.append(suppression_note(hidden_names, threshold))
    # Groups side by side within a month, so their error bars do not hide each other.
    fig.update_layout(hovermode="closest", scattermode="group", scattergap=0.6)
    return finish_figure(fig, title, font_size=font_size, notes=notes, plot_height=360)
