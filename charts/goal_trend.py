"""One goal month by month: its metric as a line, its green and yellow zones as bands, the
board's decisions marked on the time axis.

Each report month is drawn at the month's last day (a snapshot describes the month up to
then), so a decision taken in February lies before February's point. A zone band covers
the months judged against it: when a target was changed, the bands step where the
thresholds changed. Every band carries its meaning as text, never as colour alone; a hidden
month leaves a gap in the line, a marker saying "<5" or "dold" at the bottom and a note.
"""

from __future__ import annotations

import calendar
import datetime as dt
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

import plotly.graph_objects as go

from charts.layout import (
    DEFAULT_FONT_SIZE,
    finish_figure,
    new_figure,
    safe_label,
    share_axis,
    suppression_note,
)
from charts.palette import NEUTRAL_DARK, NEUTRAL_MID, PRIMARY, goal_status_style, hex_to_rgba
from charts.trends import month_label
from presentation.numbers import SUPPRESSION_THRESHOLD, MetricKind, hidden_text

#: Said instead of a line for a goal judged by hand.
NO_METRIC_TEXT = "Målet bedöms för hand och har inget mått, så det finns ingen linje att visa."
#: At most this many month labels on the time axis.
TICKS_SHOWN = 12
#: How strongly a zone is tinted: light, so the line and the text on it stay readable.
ZONE_ALPHA = 0.2
#: Names of the traces, for the legend and for tests.
DECISION_TRACE = "Beslut"
HIDDEN_TRACE = "Dolt värde"

_HALF_MONTH = dt.timedelta(days=15)


@dataclass(frozen=True)
class TrendPoint:
    """One report month: the value drawn (``None``: none) and its text for the hover."""

    month: str
    value: float | None
    hover: str
    hidden: bool = False
    hidden_reason: str | None = None


@dataclass(frozen=True)
class ZoneBand:
    """A horizontal band over a run of months: ``low``/``high`` ``None`` run to the axis'
    edge. ``style`` is a goal status style id ("met", "partly_met"); ``text`` is written in
    the band (empty: the band repeats one already labelled)."""

    style: str
    low: float | None
    high: float | None
    first_month: str
    last_month: str
    text: str


@dataclass(frozen=True)
class DecisionMark:
    """A decision on the time axis: a short label ("Ändrat", "Utgått") and what it was."""

    day: dt.date
    label: str
    text: str


def _wrapped(text: str, width: int = 60) -> str:
    """Text from a form as inert hover text, broken into lines: a hover label does not wrap."""
    return "<br>".join(safe_label(line) for line in textwrap.wrap(text, width)) or "–"


def month_end(month: str) -> dt.date:
    """ "2019-02" -> 2019-02-28: where a report month is drawn."""
    year, number = (int(part) for part in month.split("-"))
    return dt.date(year, number, calendar.monthrange(year, number)[1])


def _month_start(month: str) -> dt.date:
    year, number = (int(part) for part in month.split("-"))
    return dt.date(year, number, 1)


def _midpoint(a: dt.date, b: dt.date) -> dt.date:
    return a + (b - a) / 2


def _value_range(
    kind: MetricKind, values: Sequence[float], value_label: str
) -> tuple[float, float, dict]:
    """The y axis as (bottom, top, axis settings), room for every value and threshold."""
    if kind == "share":
        # Headroom over the highest value or threshold, so a zone that runs upwards shows.
        upper = max(values, default=None)
        axis = share_axis(None if upper is None else upper * 1.2, value_label)
        bottom, top = axis["range"]
        return bottom, top, axis
    high = max([0.0, *values])
    low = min([0.0, *values])
    if kind == "difference":
        pad = max(high - low, 1.0) * 0.12
        bottom, top = low - pad, high + pad
    else:
        bottom, top = 0.0, (high * 1.2 if high > 0 else 1.0)
    return bottom, top, {"title": {"text": value_label}, "range": [bottom, top]}


def _ticks(months: Sequence[str]) -> tuple[list[str], list[str]]:
    """Tick positions and labels: every month, or every n-th (the newest kept) when many."""
    step = max(1, -(-len(months) // TICKS_SHOWN))
    kept = list(months)[::-1][::step][::-1]
    return [month_end(m).isoformat() for m in kept], [month_label(m) for m in kept]


def goal_trend(
    points: Sequence[TrendPoint],
    zones: Sequence[ZoneBand] = (),
    decisions: Sequence[DecisionMark] = (),
    *,
    value_label: str | None,
    value_kind: MetricKind | None,
    title: str,
    font_size: int = DEFAULT_FONT_SIZE,
    threshold: int = SUPPRESSION_THRESHOLD,
    notes: Sequence[str] = (),
) -> go.Figure:
    """The goal's metric per month as a line with markers, on its zones, with decisions.

    ``value_label``/``value_kind`` ``None``: a goal judged by hand, which has no line; the
    figure says so. Decisions outside the months shown are named in a note instead.
    """
    fig = new_figure()
    if value_kind is None or value_label is None or not points:
        fig.add_annotation(
            text=NO_METRIC_TEXT if value_kind is None else "Inga månader att visa.",
            xref="paper",
            yref="paper",
            x=0.5,
            y=0.5,
            showarrow=False,
            font={"size": font_size + 2, "color": NEUTRAL_DARK},
            name="empty",
        )
        fig.update_xaxes(visible=False)
        fig.update_yaxes(visible=False)
        return finish_figure(fig, title, font_size=font_size, notes=notes, plot_height=120)

    months = [p.month for p in points]
    x = [month_end(m) for m in months]
    index = {m: i for i, m in enumerate(months)}
    thresholds = [v for z in zones for v in (z.low, z.high) if v is not None]
    shown_values = [p.value for p in points if p.value is not None and not p.hidden]
    bottom, top, y_axis = _value_range(value_kind, [*shown_values, *thresholds], value_label)

    # Zones first, below everything: one band per run of months with the same thresholds.
    for zone in zones:
        if zone.first_month not in index or zone.last_month not in index:
            continue
        first, last = index[zone.first_month], index[zone.last_month]
        low = bottom if zone.low is None else max(zone.low, bottom)
        high = top if zone.high is None else min(zone.high, top)
        if high <= low:
            continue
        style = goal_status_style(zone.style)
        x0 = x[first] - _HALF_MONTH if first == 0 else _midpoint(x[first - 1], x[first])
        x1 = x[last] + _HALF_MONTH if last == len(x) - 1 else _midpoint(x[last], x[last + 1])
        fig.add_shape(
            type="rect",
            xref="x",
            yref="y",
            x0=x0.isoformat(),
            x1=x1.isoformat(),
            y0=low,
            y1=high,
            fillcolor=hex_to_rgba(style.colour, ZONE_ALPHA),
            line={"width": 0},
            layer="below",
            name=f"zone_{zone.style}",
            label={
                "text": zone.text,
                # Inside the band just above its lower edge, left: the decisions' labels sit at
                # the top of the plot and the newest points at the right.
                "textposition": "bottom left",
                "font": {"color": style.text_colour, "size": max(font_size - 2, 10)},
                "padding": 4,
            },
        )

    fig.add_trace(
        go.Scatter(
            x=[d.isoformat() for d in x],
            y=[None if p.hidden else p.value for p in points],
            mode="lines+markers",
            name=value_label,
            connectgaps=False,
            line={"color": PRIMARY, "width": 3},
            marker={"symbol": "circle", "size": 10, "color": PRIMARY},
            hovertext=[p.hover for p in points],
            hovertemplate="%{hovertext}<extra></extra>",
        )
    )

    hidden = [p for p in points if p.hidden]
    if hidden:
        fig.add_trace(
            go.Scatter(
                x=[month_end(p.month).isoformat() for p in hidden],
                y=[bottom] * len(hidden),
                mode="markers+text",
                name=HIDDEN_TRACE,
                text=[hidden_text(p.hidden_reason, threshold) for p in hidden],
                textposition="top center",
                textfont={"color": NEUTRAL_DARK},
                marker={"symbol": "x-thin-open", "size": 12, "color": NEUTRAL_MID},
                hovertext=[p.hover for p in hidden],
                hovertemplate="%{hovertext}<extra></extra>",
                cliponaxis=False,
            )
        )

    axis_start = x[0] - _HALF_MONTH
    axis_end = x[-1] + _HALF_MONTH
    covered_from = _month_start(months[0])
    shown_marks = [d for d in decisions if covered_from <= d.day <= x[-1]]
    later = [d for d in decisions if d not in shown_marks]
    if shown_marks:
        axis_start = min(axis_start, min(d.day for d in shown_marks) - dt.timedelta(days=5))
        for mark in shown_marks:
            fig.add_shape(
                type="line",
                xref="x",
                yref="paper",
                x0=mark.day.isoformat(),
                x1=mark.day.isoformat(),
                y0=0,
                y1=1,
                line={"color": NEUTRAL_DARK, "width": 2, "dash": "dash"},
                name="decision",
            )
        fig.add_trace(
            go.Scatter(
                x=[d.day.isoformat() for d in shown_marks],
                y=[top] * len(shown_marks),
                mode="markers+text",
                name=DECISION_TRACE,
                text=[safe_label(d.label) for d in shown_marks],
                textposition="bottom right",
                textfont={"color": NEUTRAL_DARK, "size": font_size},
                marker={"symbol": "triangle-down", "size": 14, "color": NEUTRAL_DARK},
                hovertext=[
                    f"<b>{safe_label(d.label)} {d.day.isoformat()}</b><br>{_wrapped(d.text)}"
                    for d in shown_marks
                ],
                hovertemplate="%{hovertext}<extra></extra>",
                cliponaxis=False,
            )
        )

    tickvals, ticktext = _ticks(months)
    fig.update_xaxes(
        type="date",
        title={"text": "Rapportmånad"},
        range=[axis_start.isoformat(), axis_end.isoformat()],
        tickvals=tickvals,
        ticktext=ticktext,
        showgrid=False,
    )
    fig.update_yaxes(**y_axis)
    fig.update_layout(hovermode="closest")

    all_notes = list(notes)
    if hidden:
        all_notes.append(
            suppression_note([(month_label(p.month), p.hidden_reason) for p in hidden], threshold)
        )
    if later:
        # Label and day only: the decision's own words can be long, and a note does not wrap.
        all_notes.append(
            "Beslut utanför de visade månaderna: "
            + ", ".join(f"{safe_label(d.label)} {d.day.isoformat()}" for d in later)
            + "."
        )
    return finish_figure(fig, title, font_size=font_size, notes=all_notes, plot_height=360)
