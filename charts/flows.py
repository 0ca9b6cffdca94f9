"""Where participants went: the Sankey diagram and the step matrix (stegförflyttning)."""

from __future__ import annotations

import itertools
from collections.abc import Mapping

import plotly.graph_objects as go
import polars as pl

from charts.layout import (
    DEFAULT_FONT_SIZE,
    as_frame,
    column_or_none,
    empty_figure,
    finish_figure,
    label_with_n,
    new_figure,
)
from charts.palette import NEUTRAL_DARK, OUTCOME_COLOURS, SERIES_COLOURS, hex_to_rgba
from ingest.schema import CODE_LABELS, FIELDS_BY_NAME, STEPS
from metrics.outcomes import OUTCOME_LABELS
from presentation.numbers import (
    LINKED_TEXT,
    SUPPRESSION_THRESHOLD,
    format_count,
    format_share,
    hidden_text,
    suppressed_text,
)

#: Outcome nodes in the flows keep the colours they have in the outcome bars.
OUTCOME_NODE_COLOURS: dict[str, str] = {
    OUTCOME_LABELS[k]: c for k, c in OUTCOME_COLOURS.items() if k in OUTCOME_LABELS
}


def sankey(
    flows: pl.DataFrame | pl.LazyFrame,
    title: str,
    *,
    node_colours: Mapping[str, str] | None = None,
    font_size: int = DEFAULT_FONT_SIZE,
    threshold: int = SUPPRESSION_THRESHOLD,
) -> go.Figure:
    """Flows between labelled states; nodes carry their count, links count and share.

    ``node_colours`` fixes the colour of named nodes (e.g. the outcomes, so they look the
    same as in the outcome bars); other nodes take the palette in order.

    Nodes are taken in order of first appearance (sources first). A node's count is the
    larger of what flows in and out, so start and end nodes both show their size. Hidden
    flows (null count) are left out and named under the chart; a node with a hidden flow
    shows its size as "minst" and its flows without a share.
    """
    data = as_frame(flows)
    if data.is_empty():
        return empty_figure(title, font_size=font_size)
    hidden = data.filter(pl.col("count").is_null())
    shown = data.filter(pl.col("count").is_not_null() & (pl.col("count") > 0))
    if shown.is_empty():
        return empty_figure(title, font_size=font_size)

    nodes: list[str] = []
    for name in [*shown.get_column("source").to_list(), *shown.get_column("target").to_list()]:
        if name not in nodes:
            nodes.append(name)
    index = {name: i for i, name in enumerate(nodes)}
    outflow = dict(shown.group_by("source").agg(pl.col("count").sum()).iter_rows())
    inflow = dict(shown.group_by("target").agg(pl.col("count").sum()).iter_rows())
    sizes = [max(outflow.get(n, 0), inflow.get(n, 0)) for n in nodes]
    # A node with a hidden flow is larger than its visible flows: its size is a least
    # value, and a share of it would rest on the wrong denominator.
    partial = set(hidden["source"].to_list()) | set(hidden["target"].to_list())
    node_labels = [
        f"{n} (minst {format_count(size)})" if n in partial else label_with_n(n, size)
        for n, size in zip(nodes, sizes, strict=True)
    ]
    fixed = node_colours or {}
    taken = {v.upper() for v in fixed.values()}
    free = itertools.cycle([c for c in SERIES_COLOURS if c.upper() not in taken] or SERIES_COLOURS)
    colours = [fixed.get(n) or next(free) for n in nodes]

    sources = shown.get_column("source").to_list()
    targets = shown.get_column("target").to_list()
    counts = shown.get_column("count").to_list()
    link_hover = [
        f"{s} → {t}<br>{format_count(c)} deltagare"
        + (
            f" (andelen visas inte: ett flöde från {s} är dolt)"
            if s in partial
            else f" ({format_share(c / outflow[s])} av {s})"
        )
        for s, t, c in zip(sources, targets, counts, strict=True)
    ]
    fig = new_figure()
    fig.add_trace(
        go.Sankey(
            arrangement="snap",
            valueformat=",d",
            node={
                "label": node_labels,
                "color": colours,
                "pad": 18,
                "thickness": 18,
                "line": {"color": NEUTRAL_DARK, "width": 0.5},
                "customdata": [
                    f"{n}<br>{'minst ' if n in partial else ''}{format_count(size)} deltagare"
                    for n, size in zip(nodes, sizes, strict=True)
                ],
                "hovertemplate": "%{customdata}<extra></extra>",
            },
            link={
                "source": [index[s] for s in sources],
                "target": [index[t] for t in targets],
                "value": counts,
                "color": [hex_to_rgba(colours[index[s]], 0.35) for s in sources],
                "customdata": link_hover,
                "hovertemplate": "%{customdata}<extra></extra>",
            },
            textfont={"size": font_size, "color": NEUTRAL_DARK},
        )
    )
    notes = ["Bredden på varje flöde är antalet deltagare; håll muspekaren över för andel."]
    if not hidden.is_empty():
        reasons = column_or_none(hidden, "hidden_reason")
        names = [f"{s} → {t}" for s, t in hidden.select("source", "target").iter_rows()]
        small = [n for n, r in zip(names, reasons, strict=True) if hidden_text(r) != LINKED_TEXT]
        linked = [n for n, r in zip(names, reasons, strict=True) if hidden_text(r) == LINKED_TEXT]
        if small:
            notes.append(
                f"Flöden med färre än {threshold} deltagare ({suppressed_text(threshold)}) "
                f"visas inte: {', '.join(small)}."
            )
        if linked:
            notes.append(
                f"Dolda för att inga små tal ska kunna räknas fram ({LINKED_TEXT}; de kan vara "
                f"stora): {', '.join(linked)}."
            )
        notes.append(
            "”minst”: ett flöde till eller från gruppen är dolt, så gruppen är större än "
            "summan av de flöden som visas."
        )
    return finish_figure(
        fig, title, font_size=font_size, notes=notes, plot_height=420, axis_lines=1
    )


def _step_labels(step_labels: Mapping[int, str] | None) -> dict[int, str]:
    if step_labels is not None:
        return dict(step_labels)
    return {step: CODE_LABELS["step"][str(step)] for step in STEPS}


def _wrap(label: str, width: int = 14) -> str:
    # Column labels side by side: break long step names instead of slanting them.
    lines: list[str] = []
    for word in label.replace("/", "/ ").split():
        if lines and len(lines[-1]) + len(word) < width:
            lines[-1] = f"{lines[-1]} {word}".replace("/ ", "/")
        else:
            lines.append(word)
    return "<br>".join(line.replace("/ ", "/") for line in lines)


def _movement(start: int, end: int) -> str:
    if end == start:
        return "Oförändrat steg"
    steps = abs(end - start)
    word = "steg upp" if end > start else "steg ned"
    return f"{steps} {word}"


def step_matrix_heatmap(
    matrix: pl.DataFrame | pl.LazyFrame,
    *,
    title: str = "Stegförflyttning: steg vid start och vid avslut",
    step_labels: Mapping[int, str] | None = None,
    font_size: int = DEFAULT_FONT_SIZE,
    threshold: int = SUPPRESSION_THRESHOLD,
) -> go.Figure:
    """A 6x6 heatmap of step at start (rows) against step at exit (columns), counts written.

    The diagonal (unchanged step) is framed; cells right of it are steps up. A null count
    or ``suppressed`` cell reads "<5"; a combination missing from the frame is 0.
    """
    data = as_frame(matrix)
    if data.is_empty():
        return empty_figure(title, font_size=font_size)
    labels = _step_labels(step_labels)
    steps = list(labels)
    hidden_flags = [bool(v) for v in column_or_none(data, "suppressed")]
    cells: dict[tuple[int, int], int | None] = {}
    reasons: dict[tuple[int, int], str | None] = {}
    for (start, end, count), is_hidden, reason in zip(
        data.select("step_start", "step_end", "count").iter_rows(),
        hidden_flags,
        column_or_none(data, "hidden_reason"),
        strict=True,
    ):
        cells[(int(start), int(end))] = None if is_hidden else count
        reasons[(int(start), int(end))] = reason

    z: list[list[int | None]] = []
    text: list[list[str]] = []
    hover: list[list[str]] = []
    for start in steps:
        row_cells = [cells.get((start, end), 0) for end in steps]
        row_known = all(c is not None for c in row_cells)
        row_total = sum(c for c in row_cells if c is not None)
        z.append(row_cells)
        text.append(
            [
                hidden_text(reasons.get((start, end)), threshold) if c is None else format_count(c)
                for end, c in zip(steps, row_cells, strict=True)
            ]
        )
        row_hover = []
        for end, count in zip(steps, row_cells, strict=True):
            lines = [
                f"Start: {labels[start]}",
                f"Avslut: {labels[end]}",
                _movement(start, end),
            ]
            if count is None:
                text_hidden = hidden_text(reasons.get((start, end)), threshold)
                lines.append(f"{text_hidden} deltagare (visas inte)")
            else:
                share = (
                    f" ({format_share(count / row_total)} av dem som började på steg {start})"
                    if row_known and row_total
                    else ""
                )
                lines.append(f"{format_count(count)} deltagare{share}")
            row_hover.append("<br>".join(lines))
        hover.append(row_hover)

    x_labels = [labels[s] for s in steps]
    fig = new_figure()
    fig.add_trace(
        go.Heatmap(
            z=z,
            x=x_labels,
            y=x_labels,
            text=text,
            texttemplate="%{text}",
            textfont={"size": font_size},
            customdata=hover,
            hovertemplate="%{customdata}<extra></extra>",
            colorscale="Blues",
            colorbar={"title": {"text": "Antal"}},
            xgap=2,
            ygap=2,
            name="Antal deltagare",
        )
    )
    for i in range(len(steps)):
        fig.add_shape(
            type="rect",
            x0=i - 0.5,
            x1=i + 0.5,
            y0=i - 0.5,
            y1=i + 0.5,
            xref="x",
            yref="y",
            line={"color": NEUTRAL_DARK, "width": 3},
            fillcolor="rgba(0,0,0,0)",
            name="diagonal",
        )
    fig.update_xaxes(
        title={"text": FIELDS_BY_NAME["step_end"].label},
        tickvals=x_labels,
        ticktext=[_wrap(label) for label in x_labels],
        tickangle=0,
    )
    fig.update_yaxes(title={"text": FIELDS_BY_NAME["step_start"].label})
    hidden_count = sum(row.count(None) for row in z)
    notes = []
    if hidden_count:
        notes.append(
            f"{suppressed_text(threshold)} = färre än {threshold} deltagare; antalet visas inte."
        )
        if any(hidden_text(r) == LINKED_TEXT for r in reasons.values()):
            notes.append(
                f"{LINKED_TEXT} = dolt för att inget litet tal ska kunna räknas fram; kan vara "
                "stort."
            )
    return finish_figure(
        fig,
        title,
        subtitle=(
            "Inramad diagonal = oförändrat steg; till höger om den = steg upp, "
            "till vänster = steg ned."
        ),
        font_size=font_size,
        notes=notes,
        plot_height=font_size * 30,
        axis_lines=7,
    )
