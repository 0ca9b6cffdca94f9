"""Trender: any metric by report month, in total or per municipality."""

from __future__ import annotations

import streamlit as st

from charts.trends import trend_lines
from metrics.catalogue import CATALOGUE, catalogue_ids
from presentation.trends import GROUP_CHOICES, trend_table
from ui.filters import current_filters
from ui.layout import chart_font_size, empty_state, show_chart
from ui.selection import metric_frame, show_filter_notice
from ui.text import escape_markdown

filters = current_filters()
st.title("Trender")
st.markdown(escape_markdown(filters.describe()) + " Varje punkt är en månads ögonblicksbild.")
if filters.selection.period is not None:
    st.caption(
        "Med en vald period visar varje punkt perioden till och med den månaden, så som "
        "månadens export berättar den: deltagare under perioden växer därför månad för månad."
    )
show_filter_notice()

left, right = st.columns(2)
metric_id = left.selectbox(
    "Mått",
    catalogue_ids(filters.selection.period is not None),
    format_func=lambda m: CATALOGUE[m].label,
)
group_label = right.radio("Visa", list(GROUP_CHOICES), horizontal=True)
group = GROUP_CHOICES[group_label]
metric = CATALOGUE[metric_id]

by = ["report_month", group] if group else ["report_month"]
trend = metric_frame([metric_id], by=by, over_months=True)
if trend.height == 0:
    empty_state("Det finns inga inlästa månader i urvalet.")
else:
    show_chart(
        trend_lines(
            trend,
            metric.label,
            group,
            value_kind=metric.kind,
            font_size=chart_font_size(filters.meeting_mode),
        ),
        trend_table(trend, metric_id, group),
        f"{metric.label} per månad",
        alt=f"Linjediagram: {metric.label} per rapportmånad.",
        key="trend",
    )
