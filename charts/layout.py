"""The look every figure shares: Swedish separators, font size, title, empty state.

Builders call ``new_figure`` first and ``finish_figure`` last, so a change of style is made
here once. ``font_size`` is the meeting-mode switch: the steering group reads the
dashboard on a shared screen and wants everything larger.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import plotly.graph_objects as go
import polars as pl

from charts.palette import NEUTRAL_DARK
from presentation.numbers import (
    LINKED_TEXT,
    SUPPRESSION_THRESHOLD,
    format_count,
    format_share,
    hidden_text,
    suppressed_text,
)
from presentation.selection import code_kind, value_label

EMPTY_TEXT = "Inga uppgifter att visa för det här urvalet."
FONT_FAMILY = "Source Sans Pro, Arial, Helvetica, sans-serif"
DEFAULT_FONT_SIZE = 14

#: Columns of metric and comparison frames that are values, not the unit shown.
VALUE_COLUMNS: frozenset[str] = frozenset(
    {
        "metric",
        "value",
        "numerator",
        "denominator",
        "ci_low",
        "ci_high",
        "suppressed",
        "overall",
        "lo95",
        "hi95",
        "lo998",
        "hi998",
        "flag",
    }
)


def safe_label(text: str) -> str:
    """Text from a file as inert text in a figure.

    Plotly renders a subset of HTML in titles, tick labels, legends and hover texts (``<a
    href>``, ``<b>``, ``<br>``...). Names read from exports (projects, districts) pass here
    so ``<`` and ``>`` show as characters and never become markup; Plotly shows the
    entities as the characters they stand for.
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def as_frame(frame: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """Collect a lazy frame; builders work on the small, already computed result."""
    return frame.collect() if isinstance(frame, pl.LazyFrame) else frame


def new_figure() -> go.Figure:
    """An empty figure to add traces to."""
    return go.Figure()


def finish_figure(
    fig: go.Figure,
    title: str,
    *,
    subtitle: str | None = None,
    font_size: int = DEFAULT_FONT_SIZE,
    notes: Sequence[str] = (),
    plot_height: int = 320,
    axis_lines: float = 4.5,
) -> go.Figure:
    """Apply the shared layout: title, Swedish separators, fonts, legend, footnotes.

    ``notes`` are short Swedish lines printed under the plot (suppressed values, how to
    read the chart); they are text, so they reach users who cannot see the colours.
    The figure height is the plotting area plus room for the title, legend, x axis
    (``axis_lines`` text lines) and notes, all of which grow with ``font_size``.
    """
    # Titles are built by pages and may carry a project name: made inert here. Notes are
    # built by the builders from names that ``unit_name`` has made inert already.
    title_spec: dict[str, Any] = {
        "text": safe_label(title),
        "x": 0,
        "xanchor": "left",
        "font": {"size": round(font_size * 1.3)},
    }
    if subtitle:
        title_spec["subtitle"] = {"text": safe_label(subtitle), "font": {"size": font_size}}
    line = round(font_size * 1.6)
    axis_space = round(font_size * axis_lines)
    top = 70 + font_size * 3 + (line if subtitle else 0)
    bottom = axis_space + line * len(notes) + 10
    fig.update_layout(
        template="plotly_white",
        separators=", ",
        title=title_spec,
        font={"family": FONT_FAMILY, "size": font_size, "color": NEUTRAL_DARK},
        hoverlabel={
            "font": {"size": font_size, "family": FONT_FAMILY, "color": NEUTRAL_DARK},
            "bgcolor": "white",
            "bordercolor": NEUTRAL_DARK,
        },
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0},
        margin={"l": 10, "r": 20, "t": top, "b": bottom},
        height=top + plot_height + bottom,
    )
    for index, note in enumerate(notes):
        fig.add_annotation(
            text=note,
            xref="paper",
            yref="paper",
            x=0,
            y=0,
            yshift=-(axis_space + line * index),
            xanchor="left",
            yanchor="top",
            showarrow=False,
            align="left",
            font={"size": max(font_size - 2, 10), "color": NEUTRAL_DARK},
            name="note",
        )
    return fig


def empty_figure(title: str, *, font_size: int = DEFAULT_FONT_SIZE) -> go.Figure:
    """A figure that says there is nothing to show, instead of an error or a blank plot."""
    fig = new_figure()
    fig.add_annotation(
        text=EMPTY_TEXT,
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
    return finish_figure(fig, title, font_size=font_size, plot_height=160)


def share_axis(upper: float | None, title: str) -> dict[str, Any]:
    """A 0..100 % axis with Swedish tick labels ("20 %"), keeping the data as fractions.

    d3's percent format writes "20%"; Swedish writes "20 %", so the ticks are spelled out.
    """
    top = 1.0 if upper is None else min(1.0, max(0.1, upper))
    step = 0.1 if top > 0.3 else 0.05
    count = round(1 / step)
    ticks = [round(i * step, 4) for i in range(count + 1)]
    return {
        "title": {"text": title},
        "range": [0, min(1.0, top * 1.08) if top < 1.0 else 1.02],
        "tickvals": ticks,
        "ticktext": [format_share(t, decimals=0 if step == 0.1 else 1) for t in ticks],
        "zeroline": True,
        "gridcolor": "#E5E5E5",
    }


def unit_column_of(frame: pl.DataFrame, unit_column: str | None) -> str:
    """The column naming the units: given, ``unit``, or the first by-column."""
    if unit_column is not None:
        if unit_column not in frame.columns:
            raise ValueError(f"kolumnen {unit_column!r} saknas i tabellen")
        return unit_column
    if "unit" in frame.columns:
        return "unit"
    for column in frame.columns:
        if column not in VALUE_COLUMNS:
            return column
    raise ValueError("tabellen har ingen kolumn som namnger enheterna")


def single_metric(frame: pl.DataFrame, wanted: str | None = None) -> pl.DataFrame:
    """Keep one metric's rows; a frame mixing metrics would draw unlike values together."""
    if "metric" not in frame.columns:
        return frame
    if wanted is not None:
        return frame.filter(pl.col("metric") == wanted)
    metrics = frame.get_column("metric").unique().to_list()
    if len(metrics) > 1:
        raise ValueError(f"tabellen innehåller flera mått ({', '.join(map(str, metrics))})")
    return frame


def column_or_none(frame: pl.DataFrame, name: str) -> list[Any]:
    """A column's values, or a list of ``None`` when the frame lacks it."""
    if name in frame.columns:
        return frame.get_column(name).to_list()
    return [None] * frame.height


def suppressed_flags(frame: pl.DataFrame) -> list[bool]:
    """Which rows are hidden as small counts (null ``suppressed`` counts as not hidden)."""
    return [bool(v) for v in column_or_none(frame, "suppressed")]


def suppression_note(
    hidden: Iterable[tuple[str, str | None]], threshold: int = SUPPRESSION_THRESHOLD
) -> str:
    """Footnote naming hidden values (name, why), so nothing hidden looks like a zero: the
    small ones under "<5", those hidden to protect another under "dold" (they may be large).
    """
    small = [name for name, reason in hidden if hidden_text(reason) != LINKED_TEXT]
    linked = [name for name, reason in hidden if hidden_text(reason) == LINKED_TEXT]
    parts = []
    if small:
        parts.append(
            f"{suppressed_text(threshold)} = färre än {threshold} deltagare; värdet visas inte "
            f"för att skydda enskilda. Gäller: {', '.join(small)}."
        )
    if linked:
        parts.append(
            f"{LINKED_TEXT} = dolt för att inget litet tal ska kunna räknas fram; värdet kan "
            f"vara stort. Gäller: {', '.join(linked)}."
        )
    return " ".join(parts)


def unit_name(column: str, value: Any) -> str:
    """The Swedish name of a unit: codes and yes/no values get their labels; names from the
    file (projects, districts) come back inert (``safe_label``)."""
    if value is None or code_kind(column) is not None:
        return value_label(column, value)
    return safe_label(str(value))


def label_with_n(name: str, n: int | None) -> str:
    """ "Sigtuna (n = 44)": the basis travels with the name, on axes and in legends."""
    return name if n is None else f"{name} (n = {format_count(n)})"
