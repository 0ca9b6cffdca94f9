"""Budget against outcome (utfall) per insats: two bars per insats, told apart by colour,
pattern and the word on each bar, never by colour alone."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from charts.layout import (
    DEFAULT_FONT_SIZE,
    as_frame,
    empty_figure,
    finish_figure,
    new_figure,
    safe_label,
)
from charts.palette import OKABE_ITO, PRIMARY
from presentation.numbers import format_msek, format_sek

#: (column, legend word, colour, bar pattern), in legend order.
_SERIES: tuple[tuple[str, str, str, str], ...] = (
    ("budget_sek", "Budget", PRIMARY, ""),
    ("outcome_sek", "Utfall", OKABE_ITO["vermillion"], "/"),
)
MILLION = 1_000_000


def budget_outcome_bars(
    frame: pl.DataFrame | pl.LazyFrame,
    *,
    title: str = "Budget och utfall per insats",
    font_size: int = DEFAULT_FONT_SIZE,
) -> go.Figure:
    """Horizontal bars: each insats's budget and outcome, drawn in millions of kronor
    (the hover and the table give whole kronor).

    Takes a frame with ``project, budget_sek, outcome_sek`` (null: not recorded). An amount
    not recorded gets no bar and a note under the chart says so, so a missing outcome is
    never read as zero. Within an insats the budget is the upper bar, as in the legend.
    """
    data = as_frame(frame)
    if data.is_empty():
        return empty_figure(title, font_size=font_size)
    data = data.sort("project", descending=True)  # the first insats on top
    names = [safe_label(str(p)) for p in data["project"].to_list()]
    fig = new_figure()
    notes: list[str] = []
    # Plotly stacks a group's horizontal bars from the bottom: the last trace is on top.
    for column, word, colour, pattern in reversed(_SERIES):
        values = data[column].to_list()
        fig.add_trace(
            go.Bar(
                name=word,
                orientation="h",
                y=names,
                x=[None if v is None else v / MILLION for v in values],
                customdata=values,
                marker={
                    "color": colour,
                    "line": {"color": colour, "width": 1},
                    "pattern": {"shape": pattern, "fgcolor": "white", "solidity": 0.25},
                },
                text=[None if v is None else f"{word}: {format_msek(v)}" for v in values],
                textposition="outside",
                cliponaxis=False,
                hovertext=[
                    f"<b>{n}</b><br>{word}: {format_sek(v)}" if v is not None else None
                    for n, v in zip(names, values, strict=True)
                ],
                hoverinfo="text",
            )
        )
        missing = [n for n, v in zip(names, values, strict=True) if v is None]
        if missing:
            notes.insert(0, f"{word} är inte registrerat för: {', '.join(sorted(missing))}.")
    largest = max(
        (v / MILLION for c, *_ in _SERIES for v in data[c].to_list() if v is not None),
        default=0,
    )
    fig.update_layout(
        barmode="group", bargap=0.3, bargroupgap=0.1, legend={"traceorder": "reversed"}
    )
    fig.update_xaxes(
        title_text="Miljoner kronor (mnkr)",
        range=[0, largest * 1.3 or 1],  # room for the words after the bars
        tickformat=",.1~f",
        rangemode="tozero",
    )
    fig.update_yaxes(title_text=None, automargin=True)
    return finish_figure(
        fig,
        title,
        font_size=font_size,
        notes=notes,
        plot_height=max(160, 90 * len(names)),
    )
