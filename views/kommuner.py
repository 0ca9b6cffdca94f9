"""Kommuner: do municipalities (or districts) differ, and by more than chance?"""

from __future__ import annotations

import streamlit as st

from charts.comparison import dumbbell, funnel_plot, interval_bars
from metrics.compare import funnel_curve
from presentation.comparison import (
    SHARE_METRICS,
    UNIT_CHOICES,
    available_units,
    comparison_table,
    has_districts,
    metric_label,
    standing_style,
    standing_table,
    unit_metrics,
)
from ui.filters import current_filters
from ui.layout import chart_font_size, empty_state, show_chart, show_table
from ui.selection import cached, comparison_frame, metric_frame, show_filter_notice
from ui.text import escape_markdown

filters = current_filters()
font_size = chart_font_size(filters.meeting_mode)
st.title("Kommuner")
st.markdown(escape_markdown(filters.describe()))
show_filter_notice()
st.write(
    "Antalen är små, så en skillnad på tio procentenheter kan vara slump. Varje andel visas "
    "med sitt 95 %-intervall. I trattdiagrammet är en kommun utanför 99,8 %-gränsen markerad "
    "som avvikande."
)

left, right = st.columns(2)
metric_id = left.selectbox(
    "Mått",
    SHARE_METRICS,
    index=SHARE_METRICS.index("share_active_end"),
    format_func=metric_label,
)
units = available_units(cached(has_districts))
unit_label = right.selectbox("Jämför", units)
unit = UNIT_CHOICES[unit_label]
label = metric_label(metric_id)

comparison = comparison_frame(metric_id, unit)
if comparison.height == 0 or comparison["denominator"].drop_nulls().sum() == 0:
    empty_state(f"Det finns inget underlag för {label.lower()} i urvalet.")
else:
    table = comparison_table(comparison, unit_label)
    show_chart(
        interval_bars(comparison, unit_label, label, font_size=font_size),
        table,
        f"{label} per {unit_label.lower()}",
        alt=f"Staplar med 95 %-intervall: {label} per {unit_label.lower()}.",
        key="bars",
    )
    overall = comparison["overall"].drop_nulls()
    n_max = max(comparison["denominator"].drop_nulls().to_list(), default=0) or 1
    curve = funnel_curve(float(overall[0]), max(n_max * 1.2, 10)) if overall.len() else None
    if curve is not None:
        show_chart(
            funnel_plot(comparison, curve, label, font_size=font_size),
            table,
            f"Trattdiagram: {label}",
            alt=f"Trattdiagram: {label} mot antal deltagare, med 95 %- och 99,8 %-gränser.",
            key="funnel",
        )

st.subheader("I aktivitet vid start och vid avslut")
activity = metric_frame(["share_active_start", "share_active_end"], by=[unit])
if activity.height == 0:
    empty_state("Inga avslutade deltagare med känd aktivitet i urvalet.")
else:
    show_chart(
        dumbbell(activity, unit_label=unit_label, unit_column=unit, font_size=font_size),
        standing_table(activity, None, unit, unit_label),
        "Aktivitet vid start och avslut",
        alt="Hantel per enhet: andel i aktivitet vid start (cirkel) och vid avslut (romb).",
        key="dumbbell",
    )

st.subheader(f"Alla mått per {unit_label.lower()}")
st.markdown(
    "▲ över och ▼ under helheten betyder att hela 95 %-intervallet ligger på den sidan; "
    "utan pil kan skillnaden vara slump. n är nämnaren."
)
all_by_unit = metric_frame(unit_metrics(filters.selection.period is not None), by=[unit])
overall_frame = metric_frame()
show_table(
    standing_table(all_by_unit, overall_frame, unit, unit_label),
    f"Alla mått per {unit_label.lower()}",
    key="all_metrics",
    style=standing_style,
)
