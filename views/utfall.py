"""Utfall: where participants went — flows, ladder movement, outcome sub-categories."""

from __future__ import annotations

import streamlit as st

from charts.flows import OUTCOME_NODE_COLOURS, sankey, step_matrix_heatmap
from charts.outcome_bars import outcome_bars
from metrics.flows import outcome_breakdown, step_matrix
from metrics.protection import flow_sums, outcome_route_sums, step_grid_sums
from presentation.outcomes import (
    FLOW_CHOICES,
    complementary_aid_text,
    flow_table,
    matrix_table,
)
from presentation.overview import OVERVIEW_METRICS, ended_count, outcome_table
from ui.filters import current_filters
from ui.layout import chart_font_size, empty_state, show_chart
from ui.selection import metric_frame, protected_detail, show_filter_notice
from ui.text import escape_markdown

filters = current_filters()
font_size = chart_font_size(filters.meeting_mode)
st.title("Utfall")
st.markdown(escape_markdown(filters.describe()))
show_filter_notice()

st.subheader("Flöden")
choice = st.radio("Visa flödet", list(FLOW_CHOICES), horizontal=True)
flow_function, flow_title = FLOW_CHOICES[choice]
flows = protected_detail(flow_function, flow_sums(flow_function.__name__))
if flows.height == 0:
    empty_state("Inga avslutade deltagare i urvalet, så det finns inga flöden att visa.")
else:
    show_chart(
        sankey(flows, flow_title, node_colours=OUTCOME_NODE_COLOURS, font_size=font_size),
        flow_table(flows),
        flow_title,
        alt=f"Flödesdiagram: {flow_title}. Tabellen under diagrammet har samma uppgifter.",
        key="flow",
    )

st.subheader("Stegförflyttning")
matrix = protected_detail(step_matrix, step_grid_sums())
if matrix.height == 0:
    empty_state("Inga avslutade deltagare med känt steg både vid start och avslut.")
else:
    show_chart(
        step_matrix_heatmap(matrix, font_size=font_size),
        matrix_table(matrix),
        "Steg vid start och vid avslut",
        alt="Rutnät: antal deltagare per steg vid start (rader) och vid avslut (kolumner).",
        key="steps",
    )

st.subheader("Utfall i delkategorier")
totals = metric_frame(OVERVIEW_METRICS)
ended_total = ended_count(totals)
outcomes = protected_detail(outcome_breakdown, outcome_route_sums())
if outcomes.height == 0:
    empty_state("Inga avslutade deltagare i urvalet ännu.")
else:
    show_chart(
        outcome_bars(outcomes, detail=True, total=ended_total, font_size=font_size),
        outcome_table(outcomes, ended_total),
        "Utfall i delkategorier",
        alt="Staplar per utfall, uppdelade på delkategori (arbete, studier, annan inkomst).",
        key="outcome_detail",
    )
    st.write(complementary_aid_text(outcomes))
