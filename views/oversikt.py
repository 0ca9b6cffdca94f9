"""Översikt: the first screen at the meeting: how many, where they went, what changed."""

from __future__ import annotations

import streamlit as st

from charts.outcome_bars import outcome_bars
from metrics.flows import outcome_breakdown
from metrics.protection import outcome_route_sums
from metrics.trends import changes_since_last_month
from presentation.overview import (
    changes_text,
    ended_count,
    key_counts,
    outcome_table,
    overview_metrics,
    participants_sentence,
)
from ui.filters import current_filters
from ui.goals import show_summary
from ui.headlines import (
    show_annual_table,
    show_goal_changes,
    show_largest_differences,
    show_period_change,
)
from ui.kpi import show_kpi
from ui.layout import chart_font_size, empty_state, show_chart
from ui.report import meeting_pack_section
from ui.selection import cached, metric_frame, protected_detail, show_filter_notice
from ui.state import get_store
from ui.text import escape_markdown

filters = current_filters()
st.title("Översikt")
st.markdown(escape_markdown(filters.describe()))
show_filter_notice()
period = filters.selection.period

st.subheader("Det här har hänt")
show_goal_changes(get_store())
show_period_change(filters.meeting_mode)
show_largest_differences(filters.meeting_mode)
if period is None:
    changes = cached(changes_since_last_month, over_months=True)
    st.markdown(f"**Sedan förra månaden:** {changes_text(changes)}")

st.subheader("Läget" + (f" under {period.label}" if period is not None else ""))
totals = metric_frame(overview_metrics(period is not None))
st.markdown(f"#### {participants_sentence(totals)}")

for column, (metric, label) in zip(st.columns(4), key_counts(period is not None), strict=True):
    show_kpi(column, totals, metric, label=label)

st.subheader("I aktivitet vid start och vid avslut")
activity = st.columns(3)
show_kpi(activity[0], totals, "share_active_start")
show_kpi(activity[1], totals, "share_active_end")
show_kpi(activity[2], totals, "activity_change_pp", label="Förändring")

st.subheader(
    "Utfall för avslutade deltagare" + (f" under {period.label}" if period is not None else "")
)
outcomes = protected_detail(outcome_breakdown, outcome_route_sums())
ended_total = ended_count(totals)
if outcomes.height == 0:
    empty_state("Inga avslutade deltagare i urvalet ännu, så det finns inga utfall att visa.")
else:
    show_chart(
        outcome_bars(outcomes, total=ended_total, font_size=chart_font_size(filters.meeting_mode)),
        outcome_table(outcomes, ended_total),
        "Utfall för avslutade deltagare",
        alt="Stapeldiagram: antal och andel avslutade deltagare per utfall.",
        key="outcomes",
    )

if period is not None:
    show_annual_table(period.label)

st.subheader("Målen")
show_summary(get_store())

meeting_pack_section(get_store(), filters)
