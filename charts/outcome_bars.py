"""The outcome split of ended participations, with counts and shares written on the bars."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import plotly.graph_objects as go
import polars as pl

from charts.layout import DEFAULT_FONT_SIZE, as_frame, empty_figure, finish_figure, new_figure
from charts.palette import NEUTRAL_DARK, OUTCOME_COLOURS, SERIES_COLOURS
from presentation.numbers import (
    LINKED_TEXT,
    SUPPRESSION_THRESHOLD,
    format_count,
    format_share,
    hidden_marker,
    suppressed_text,
)

COMPLEMENTARY_LABELS: dict[bool, str] = {
    True: "med kompletterande bistånd",
    False: "utan kompletterande bistånd",
}
_PATTERNS: tuple[str, ...] = ("", "/", ".", "x", "-", "|")
_NOT_ENDED: tuple[str, ...] = ("ongoing", "excluded")


def _metrics_labels() -> tuple[tuple[str, ...], dict[str, str], dict[str, str]]:
    # The outcome ids and labels belong to metrics.outcomes; read them when present so the
    # chart never keeps a second copy.
    try:
        from metrics.outcomes import OUTCOME_DETAIL_LABELS, OUTCOME_LABELS, OUTCOMES
    except ImportError:
        return (), {}, {}
    return tuple(OUTCOMES), dict(OUTCOME_LABELS), dict(OUTCOME_DETAIL_LABELS)


def _segment(detail: Any, complementary: Any, detail_labels: Mapping[str, str]) -> str | None:
    if detail is not None:
        return detail_labels.get(detail, str(detail))
    if complementary is not None:
        return COMPLEMENTARY_LABELS[bool(complementary)]
    return None


def outcome_bars(
    outcome_frame: pl.DataFrame | pl.LazyFrame,
    *,
    detail: bool = False,
    title: str = "Utfall för avslutade deltagare",
    total: int | None = None,
    outcome_labels: Mapping[str, str] | None = None,
    detail_labels: Mapping[str, str] | None = None,
    font_size: int = DEFAULT_FONT_SIZE,
    threshold: int = SUPPRESSION_THRESHOLD,
) -> go.Figure:
    """Horizontal bars per outcome with "count (share)"; ``detail`` stacks sub-categories.

    Shares are of ``total`` (ended participations), by default the sum of the shown
    counts. Ongoing and excluded rows are not outcomes and are left out. A null count (or
    ``suppressed``) reads "<5"; a bar with a hidden part shows "115 + <5" and no share.
    """
    data = as_frame(outcome_frame)
    order, default_labels, default_detail_labels = _metrics_labels()
    labels = {**default_labels, **(outcome_labels or {})}
    sub_labels = {**default_detail_labels, **(detail_labels or {})}
    if not data.is_empty():
        data = data.filter(~pl.col("outcome").is_in(_NOT_ENDED))
    if data.is_empty():
        return empty_figure(title, font_size=font_size)

    for column in ("outcome_detail", "complementary_aid", "suppressed", "hidden_reason"):
        if column not in data.columns:
            data = data.with_columns(pl.lit(None).alias(column))
    data = data.with_columns(
        pl.when(pl.col("suppressed").fill_null(False))
        .then(pl.lit(None))
        .otherwise(pl.col("count"))
        .alias("count")
    )
    present: list[str] = data.get_column("outcome").unique(maintain_order=True).to_list()
    outcomes = [o for o in order if o in present] + [o for o in present if o not in order]
    known_total = int(data.get_column("count").sum() or 0)
    base = total if total is not None else known_total

    def share_text(count: int, suffix: str = "") -> str:
        return f" ({format_share(count / base)}{suffix})" if base else ""

    fig = new_figure()
    bar_labels = [labels.get(o, o) for o in outcomes]
    # label, known sum, any hidden, all hidden, the text for what is hidden
    totals: list[tuple[str, int, bool, bool, str]] = []
    segments: dict[str, dict[str, Any]] = {}
    for outcome, bar_label in zip(outcomes, bar_labels, strict=True):
        rows = data.filter(pl.col("outcome") == outcome)
        counts = rows.get_column("count").to_list()
        known = sum(c for c in counts if c is not None)
        any_hidden = any(c is None for c in counts)
        marker = _hidden_marker(rows.get_column("hidden_reason").to_list(), counts, threshold)
        totals.append((bar_label, known, any_hidden, all(c is None for c in counts), marker))
        grouped: dict[str | None, list[int | None]] = {}
        markers: dict[str | None, list[str | None]] = {}
        for det, comp, count, reason in rows.select(
            "outcome_detail", "complementary_aid", "count", "hidden_reason"
        ).iter_rows():
            grouped.setdefault(_segment(det, comp, sub_labels), []).append(count)
            markers.setdefault(_segment(det, comp, sub_labels), []).append(reason)
        for position, (segment, seg_counts) in enumerate(grouped.items()):
            key = f"{outcome}:{segment}"
            hidden = any(c is None for c in seg_counts)
            count = None if hidden else sum(seg_counts)
            segments[key] = {
                "outcome": outcome,
                "bar": bar_label,
                "name": bar_label if segment is None else f"{bar_label}: {segment}",
                "count": count,
                "marker": _hidden_marker(markers[segment], seg_counts, threshold),
                "pattern": _PATTERNS[position % len(_PATTERNS)],
            }

    if detail:
        for index, seg in enumerate(segments.values()):
            colour = OUTCOME_COLOURS.get(seg["outcome"], SERIES_COLOURS[index % 8])
            count = seg["count"]
            text = seg["marker"] if count is None else format_count(count)
            hover = f"<b>{seg['name']}</b><br>{text} deltagare"
            if count is not None:
                hover += share_text(count, " av avslutade")
            fig.add_trace(
                go.Bar(
                    x=[count],
                    y=[seg["bar"]],
                    orientation="h",
                    name=seg["name"],
                    text=[text if count is not None else ""],
                    textposition="inside",
                    insidetextanchor="middle",
                    textangle=0,
                    marker={
                        "color": colour,
                        "pattern": {"shape": seg["pattern"], "fgcolor": NEUTRAL_DARK},
                        "line": {"color": "white", "width": 1},
                    },
                    hovertext=[hover],
                    hovertemplate="%{hovertext}<extra></extra>",
                )
            )
        fig.update_layout(barmode="stack")
    bar_text: list[str] = []
    bar_hover: list[str] = []
    for label, known, any_hidden, all_hidden, marker in totals:
        if all_hidden:
            count_text, share = marker, ""
        elif any_hidden:
            count_text, share = f"{format_count(known)} + {marker}", ""
        else:
            count_text, share = format_count(known), share_text(known)
        bar_text.append(count_text + share)
        bar_hover.append(
            f"<b>{label}</b><br>{count_text} deltagare"
            + (share_text(known, " av avslutade") if share else "")
        )
    if detail:
        for (label, known, *_), text in zip(totals, bar_text, strict=True):
            fig.add_annotation(
                x=known,
                y=label,
                text=text,
                showarrow=False,
                xanchor="left",
                xshift=6,
                font={"color": NEUTRAL_DARK},
                name="total",
            )
    else:
        fig.add_trace(
            go.Bar(
                # A wholly hidden outcome is a bar of no length, so that its "<5" or
                # "dold" is still drawn beside its name (Plotly draws no text for a gap).
                x=[0 if t[3] else t[1] for t in totals],
                y=bar_labels,
                orientation="h",
                name="Antal",
                text=bar_text,
                textposition="outside",
                cliponaxis=False,
                marker={"color": [OUTCOME_COLOURS.get(o, NEUTRAL_DARK) for o in outcomes]},
                hovertext=bar_hover,
                hovertemplate="%{hovertext}<extra></extra>",
                showlegend=False,
            )
        )
    fig.update_xaxes(
        title={"text": "Antal deltagare"},
        rangemode="tozero",
        range=[0, max([t[1] for t in totals] + [1]) * 1.3],
        gridcolor="#E5E5E5",
    )
    fig.update_yaxes(
        title={"text": "Utfall"},
        autorange="reversed",
        categoryorder="array",
        categoryarray=bar_labels,
    )
    notes = [f"Andelar av {format_count(base)} avslutade deltagare."] if base else []
    if any(t[2] and t[4] != LINKED_TEXT for t in totals):
        notes.append(
            f"{suppressed_text(threshold)} = färre än {threshold} deltagare; antalet visas inte."
        )
    if any(t[2] and t[4] == LINKED_TEXT for t in totals):
        notes.append(
            f"{LINKED_TEXT} = dolt för att inget litet tal ska kunna räknas fram; kan vara stort."
        )
    fig = finish_figure(
        fig,
        title,
        font_size=font_size,
        notes=notes,
        plot_height=max(180, round(len(outcomes) * font_size * 4)),
    )
    if detail:
        # Many segment names: a list beside the bars reads better than a row above them.
        fig.update_layout(
            legend={"orientation": "v", "x": 1.02, "y": 1, "yanchor": "top", "traceorder": "normal"}
        )
    return fig


def _hidden_marker(reasons: list[str | None], counts: list[int | None], threshold: int) -> str:
    """The marker of a bar or segment: over the reasons of its hidden counts."""
    return hidden_marker((r for r, c in zip(reasons, counts, strict=True) if c is None), threshold)
