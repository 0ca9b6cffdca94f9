"""Charts that compare units honestly: interval bars, the funnel plot and start/exit dumbbells.

Small numbers make chance differences look real, so the intervals and limits are drawn by
default, and hidden small counts read "<5" instead of vanishing.
"""

from __future__ import annotations

from typing import Any

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
    share_axis,
    single_metric,
    suppressed_flags,
    suppression_note,
    unit_column_of,
    unit_name,
)
from charts.palette import NEUTRAL_DARK, NEUTRAL_LIGHT, NEUTRAL_MID, OKABE_ITO, PRIMARY
from metrics.protection import REASON_LINKED
from presentation.numbers import (
    LINKED_TEXT,
    MISSING_TEXT,
    SUPPRESSION_THRESHOLD,
    MetricKind,
    format_count,
    format_n,
    format_pp,
    format_share,
    format_value,
    hidden_marker,
    hidden_text,
)

FLAG_MARKS: dict[str, tuple[str, str]] = {
    "above": ("▲", "Avviker uppåt från samtliga"),
    "below": ("▼", "Avviker nedåt från samtliga"),
}


def _first_not_null(frame: pl.DataFrame, column: str) -> float | None:
    if column not in frame.columns:
        return None
    values = frame.get_column(column).drop_nulls()
    return None if values.is_empty() else float(values[0])


def _rows_height(labels: list[str], font_size: int) -> int:
    # Room per unit so names, bars and "<5" stay readable when the font grows.
    return max(160, round(len(labels) * font_size * 3.2))


def _interval_text(low: float | None, high: float | None, kind: str) -> str | None:
    if low is None or high is None:
        return None
    return f"95 %-konfidensintervall: {format_value(low, kind)} – {format_value(high, kind)}"


def _hidden_trace(labels: list[str], texts: list[str], hovers: list[str]) -> go.Scatter:
    """Text at the axis start for units without a bar: "<5" or "Uppgift saknas"."""
    return go.Scatter(
        x=[0] * len(labels),
        y=labels,
        mode="text",
        text=texts,
        textposition="middle right",
        textfont={"color": NEUTRAL_DARK},
        hovertext=hovers,
        hovertemplate="%{hovertext}<extra></extra>",
        name="Visas inte",
        showlegend=False,
    )


def interval_bars(
    frame: pl.DataFrame | pl.LazyFrame,
    unit_label: str,
    value_label: str,
    *,
    title: str | None = None,
    value_kind: MetricKind = "share",
    unit_column: str | None = None,
    overall: float | None = None,
    font_size: int = DEFAULT_FONT_SIZE,
    threshold: int = SUPPRESSION_THRESHOLD,
) -> go.Figure:
    """Horizontal bars per unit with 95 % interval error bars and the overall value dashed.

    Takes a comparison frame (``unit`` ...) or a one-metric frame from compute_metrics
    (the first by-column is the unit). Units are drawn top to bottom in frame order.
    ``overall`` defaults to the frame's ``overall`` column. A ``flag`` of above/below adds
    ▲/▼ to the name and a hatch to the bar, so a difference is not told by colour alone.
    """
    title = title or f"{value_label} per {unit_label.lower()}, med 95 %-konfidensintervall"
    data = single_metric(as_frame(frame))
    if data.is_empty():
        return empty_figure(title, font_size=font_size)
    unit_col = unit_column_of(data, unit_column)
    if data.get_column(unit_col).is_duplicated().any():
        raise ValueError(f"en rad per enhet väntades i kolumnen {unit_col!r}")
    overall = overall if overall is not None else _first_not_null(data, "overall")

    units = data.get_column(unit_col).to_list()
    values = column_or_none(data, "value")
    numerators = column_or_none(data, "numerator")
    denominators = column_or_none(data, "denominator")
    lows = column_or_none(data, "ci_low")
    highs = column_or_none(data, "ci_high")
    flags = column_or_none(data, "flag")
    hidden = suppressed_flags(data)
    reasons = column_or_none(data, "hidden_reason")

    labels: list[str] = []
    bar_x: list[float | None] = []
    plus: list[float | None] = []
    minus: list[float | None] = []
    bar_text: list[str] = []
    hovers: list[str] = []
    patterns: list[str] = []
    missing: list[tuple[str, str, str]] = []
    hidden_names: list[tuple[str, str | None]] = []
    for unit, value, num, den, low, high, flag, is_hidden, reason in zip(
        units, values, numerators, denominators, lows, highs, flags, hidden, reasons, strict=True
    ):
        name = unit_name(unit_col, unit)
        mark, flag_text = FLAG_MARKS.get(flag or "", ("", ""))
        label = label_with_n(name, den) + (f" {mark}" if mark else "")
        labels.append(label)
        shown = value is not None and not is_hidden
        lines = [f"<b>{name}</b>"]
        if is_hidden:
            text = hidden_text(reason, threshold)
            lines.append(f"{value_label}: {text} (visas inte)")
            lines.append(format_n(None, den, suppressed=True, threshold=threshold, reason=reason))
            missing.append((label, text, "<br>".join(lines)))
            hidden_names.append((name, reason))
        elif value is None:
            lines.append(f"{value_label}: {MISSING_TEXT}")
            missing.append((label, MISSING_TEXT, "<br>".join(lines)))
        else:
            lines.append(f"{value_label}: {format_value(value, value_kind)}")
            if value_kind in ("share", "count"):
                lines.append(format_n(num, den if value_kind == "share" else None))
            interval = _interval_text(low, high, value_kind)
            if interval:
                lines.append(interval)
            if flag_text:
                lines.append(flag_text)
        bar_x.append(value if shown else None)
        plus.append(high - value if shown and high is not None else None)
        minus.append(value - low if shown and low is not None else None)
        bar_text.append(format_value(value, value_kind) if shown else "")
        hovers.append("<br>".join(lines))
        patterns.append("/" if mark else "")

    fig = new_figure()
    has_interval = any(v is not None for v in plus)
    fig.add_trace(
        go.Bar(
            x=bar_x,
            y=labels,
            orientation="h",
            name=value_label,
            text=bar_text,
            textposition="inside",
            insidetextanchor="start",
            textfont={"color": "white"},
            marker={"color": PRIMARY, "pattern": {"shape": patterns, "fgcolor": "white"}},
            error_x={
                "type": "data",
                "symmetric": False,
                "array": plus,
                "arrayminus": minus,
                "color": NEUTRAL_DARK,
                "thickness": 2,
                "width": 6,
                "visible": has_interval,
            },
            hovertext=hovers,
            hovertemplate="%{hovertext}<extra></extra>",
            showlegend=False,
        )
    )
    if missing:
        fig.add_trace(_hidden_trace(*(list(column) for column in zip(*missing, strict=True))))
    if overall is not None:
        fig.add_vline(
            x=overall,
            line={"dash": "dash", "color": NEUTRAL_DARK, "width": 2},
            annotation={
                "text": f"Samtliga: {format_value(overall, value_kind)}",
                "font": {"color": NEUTRAL_DARK},
            },
            annotation_position="top",
            name="overall",
        )
    upper = max(
        [v + (p or 0) for v, p in zip(bar_x, plus, strict=True) if v is not None]
        + ([overall] if overall is not None else []),
        default=None,
    )
    if value_kind == "share":
        fig.update_xaxes(**share_axis(upper, value_label))
    else:
        fig.update_xaxes(title={"text": value_label}, rangemode="tozero")
    fig.update_yaxes(
        title={"text": unit_label},
        autorange="reversed",
        categoryorder="array",
        categoryarray=labels,
    )
    notes = [suppression_note(hidden_names, threshold)] if hidden_names else []
    if has_interval:
        notes.insert(0, "Strecken visar 95 %-konfidensintervall; den streckade linjen samtliga.")
    fig.update_layout(bargap=0.3)
    return finish_figure(
        fig, title, font_size=font_size, notes=notes, plot_height=_rows_height(labels, font_size)
    )


def funnel_plot(
    comparison: pl.DataFrame | pl.LazyFrame,
    curve: pl.DataFrame | pl.LazyFrame,
    value_label: str,
    *,
    title: str | None = None,
    font_size: int = DEFAULT_FONT_SIZE,
    threshold: int = SUPPRESSION_THRESHOLD,
) -> go.Figure:
    """Share against number of participants, with the overall share and funnel limits.

    A unit beyond its own 99.8 % limits (``lo998``/``hi998``) is drawn as a diamond with
    its name beside it; hidden units are not plotted (their point would reveal the count)
    but listed under the chart.
    """
    title = title or f"{value_label} mot antal deltagare, med 95 %- och 99,8 %-gränser"
    data = as_frame(comparison)
    limits = as_frame(curve)
    if data.is_empty():
        return empty_figure(title, font_size=font_size)
    overall = _first_not_null(data, "overall")
    fig = new_figure()

    if not limits.is_empty():
        limits = limits.sort("n")
        n_values = limits.get_column("n").to_list()
        for level, name, dash, colour in (
            ("95", "95 %-gräns", "dash", NEUTRAL_MID),
            ("998", "99,8 %-gräns", "dot", NEUTRAL_DARK),
        ):
            for side, side_word in (("lo", "nedre"), ("hi", "övre")):
                ys = limits.get_column(f"{side}{level}").to_list()
                fig.add_trace(
                    go.Scatter(
                        x=n_values,
                        y=ys,
                        mode="lines",
                        name=name,
                        legendgroup=level,
                        showlegend=side == "hi",
                        line={"dash": dash, "color": colour, "width": 2},
                        hovertext=[
                            f"{name}, {side_word}: {format_share(y)} vid n = {format_count(n)}"
                            for n, y in zip(n_values, ys, strict=True)
                        ],
                        hovertemplate="%{hovertext}<extra></extra>",
                        meta={"limit": f"{side}{level}"},
                    )
                )
        if overall is not None:
            fig.add_trace(
                go.Scatter(
                    x=[n_values[0], n_values[-1]],
                    y=[overall, overall],
                    mode="lines",
                    name=f"Samtliga ({format_share(overall)})",
                    line={"color": NEUTRAL_DARK, "width": 2},
                    hoverinfo="skip",
                    meta={"limit": "overall"},
                )
            )

    unit_col = unit_column_of(data, None)
    hidden = suppressed_flags(data)
    groups: dict[bool, dict[str, list[Any]]] = {
        outside: {"x": [], "y": [], "text": [], "hover": []} for outside in (False, True)
    }
    hidden_names: list[tuple[str, str | None]] = []
    for row, is_hidden in zip(data.iter_rows(named=True), hidden, strict=True):
        name = unit_name(unit_col, row[unit_col])
        value = row.get("value")
        if is_hidden or value is None:
            hidden_names.append((name, row.get("hidden_reason")))
            continue
        lo998, hi998 = row.get("lo998"), row.get("hi998")
        lo95, hi95 = row.get("lo95"), row.get("hi95")
        outside = (lo998 is not None and value < lo998) or (hi998 is not None and value > hi998)
        outside95 = (lo95 is not None and value < lo95) or (hi95 is not None and value > hi95)
        position = (
            "Utanför 99,8 %-gränsen: skiljer sig från samtliga"
            if outside
            else "Utanför 95 %-gränsen men inom 99,8 %-gränsen"
            if outside95
            else "Inom 95 %-gränsen"
        )
        group = groups[outside]
        group["x"].append(row["denominator"])
        group["y"].append(value)
        group["text"].append(name)
        group["hover"].append(
            f"<b>{name}</b><br>{value_label}: {format_share(value)}<br>"
            f"{format_n(row.get('numerator'), row['denominator'])}<br>{position}"
        )
    for outside, name, symbol, colour in (
        (False, "Inom 99,8 %-gränsen", "circle", PRIMARY),
        (True, "Utanför 99,8 %-gränsen", "diamond", OKABE_ITO["vermillion"]),
    ):
        group = groups[outside]
        if not group["x"]:
            continue
        fig.add_trace(
            go.Scatter(
                x=group["x"],
                y=group["y"],
                mode="markers+text" if outside else "markers",
                name=name,
                text=group["text"],
                textposition="top center",
                textfont={"color": NEUTRAL_DARK},
                marker={
                    "symbol": symbol,
                    "size": 16 if outside else 11,
                    "color": colour,
                    "line": {"color": "white" if not outside else NEUTRAL_DARK, "width": 1},
                },
                hovertext=group["hover"],
                hovertemplate="%{hovertext}<extra></extra>",
            )
        )
    shown_y = groups[False]["y"] + groups[True]["y"]
    upper_candidates = [*shown_y, *([overall] if overall is not None else [])]
    if not limits.is_empty():
        upper_candidates += [v for v in limits.get_column("hi998").to_list() if v is not None]
    fig.update_yaxes(**share_axis(max(upper_candidates, default=None), value_label))
    fig.update_xaxes(title={"text": "Antal deltagare (n)"}, rangemode="tozero", gridcolor="#E5E5E5")
    notes = ["Punkter utanför 99,8 %-gränsen (romber med namn) skiljer sig mer än slumpen."]
    if hidden_names:
        notes.append(suppression_note(hidden_names, threshold))
    return finish_figure(fig, title, font_size=font_size, notes=notes, plot_height=420)


def dumbbell(
    frame: pl.DataFrame | pl.LazyFrame,
    value_label: str = "Andel i aktivitet",
    *,
    start_metric: str = "share_active_start",
    end_metric: str = "share_active_end",
    unit_label: str = "Kommun",
    unit_column: str | None = None,
    title: str | None = None,
    font_size: int = DEFAULT_FONT_SIZE,
    threshold: int = SUPPRESSION_THRESHOLD,
) -> go.Figure:
    """Per unit, the share at start and at exit: a circle and a diamond joined by a line.

    Takes a compute_metrics frame holding ``start_metric`` and ``end_metric`` per unit.
    The n in the label is the denominator both shares are computed over.
    """
    title = title or f"{value_label} vid start och vid avslut per {unit_label.lower()}"
    data = as_frame(frame)
    if data.is_empty() or "metric" not in data.columns:
        return empty_figure(title, font_size=font_size)
    unit_col = unit_column_of(data, unit_column)
    keep = ["value", "numerator", "denominator", "suppressed", "hidden_reason"]
    parts = []
    for metric, suffix in ((start_metric, "start"), (end_metric, "end")):
        part = data.filter(pl.col("metric") == metric)
        if part.get_column(unit_col).is_duplicated().any():
            raise ValueError(f"en rad per enhet och mått väntades i kolumnen {unit_col!r}")
        parts.append(
            part.select(
                unit_col,
                *[
                    (pl.col(c) if c in part.columns else pl.lit(None)).alias(f"{c}_{suffix}")
                    for c in keep
                ],
            )
        )
    wide = parts[0].join(parts[1], on=unit_col, how="full", coalesce=True, maintain_order="left")
    if wide.is_empty():
        return empty_figure(title, font_size=font_size)

    labels: list[str] = []
    line_x: list[float | None] = []
    line_y: list[str | None] = []
    points: dict[str, dict[str, list[Any]]] = {
        s: {"x": [], "y": [], "hover": []} for s in ("start", "end")
    }
    hidden_rows: list[tuple[str, str, str]] = []
    hidden_names: list[tuple[str, str | None]] = []
    for row in wide.iter_rows(named=True):
        name = unit_name(unit_col, row[unit_col])
        n = row["denominator_end"]
        n = row["denominator_start"] if n is None else n
        label = label_with_n(name, n)
        labels.append(label)
        start, end = row["value_start"], row["value_end"]
        if row["suppressed_start"] or row["suppressed_end"] or start is None or end is None:
            is_hidden = bool(row["suppressed_start"] or row["suppressed_end"])
            reasons = [
                row[f"hidden_reason_{s}"] for s in ("start", "end") if row[f"suppressed_{s}"]
            ]
            text = hidden_marker(reasons, threshold) if is_hidden else MISSING_TEXT
            hidden_rows.append((label, text, f"<b>{name}</b><br>{value_label}: {text}"))
            if is_hidden:
                hidden_names.append((name, REASON_LINKED if text == LINKED_TEXT else None))
            continue
        line_x += [start, end, None]
        line_y += [label, label, None]
        change = format_pp((end - start) * 100)
        for stage, value, word in (("start", start, "Vid start"), ("end", end, "Vid avslut")):
            points[stage]["x"].append(value)
            points[stage]["y"].append(label)
            points[stage]["hover"].append(
                f"<b>{name}</b><br>{word}: {format_share(value)} "
                f"({format_n(row[f'numerator_{stage}'], row[f'denominator_{stage}'])})"
                f"<br>Förändring: {change}"
            )

    fig = new_figure()
    fig.add_trace(
        go.Scatter(
            x=line_x,
            y=line_y,
            mode="lines",
            line={"color": NEUTRAL_LIGHT, "width": 5},
            hoverinfo="skip",
            showlegend=False,
            name="Förändring",
        )
    )
    for stage, word, symbol, colour in (
        ("start", "Vid start", "circle-open", OKABE_ITO["vermillion"]),
        ("end", "Vid avslut", "diamond", PRIMARY),
    ):
        fig.add_trace(
            go.Scatter(
                x=points[stage]["x"],
                y=points[stage]["y"],
                mode="markers",
                name=word,
                marker={"symbol": symbol, "size": 14, "color": colour, "line": {"width": 3}},
                hovertext=points[stage]["hover"],
                hovertemplate="%{hovertext}<extra></extra>",
            )
        )
    if hidden_rows:
        fig.add_trace(_hidden_trace(*(list(column) for column in zip(*hidden_rows, strict=True))))
    upper = max(points["start"]["x"] + points["end"]["x"], default=None)
    fig.update_xaxes(**share_axis(upper, value_label))
    fig.update_yaxes(
        title={"text": unit_label},
        autorange="reversed",
        categoryorder="array",
        categoryarray=labels,
    )
    notes = [suppression_note(hidden_names, threshold)] if hidden_names else []
    return finish_figure(
        fig, title, font_size=font_size, notes=notes, plot_height=_rows_height(labels, font_size)
    )
