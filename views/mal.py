"""Mål: the board's goals in the traffic-light model: month by month, each goal's trend, and
the cards with each goal's detail."""

from __future__ import annotations

import streamlit as st

from ui.budget import budget_admin
from ui.filters import current_filters
from ui.goals import admin_panel, show_goals
from ui.scorecard import choose_goal, goal_page, show_scorecard, show_trend
from ui.state import get_store

store = get_store()
filters = current_filters()
period = filters.selection.period
st.title("Mål")
st.write(
    "Styrelsens mål i trafikljusmodellen: ✔ Uppfyllt, ◐ Delvis uppfyllt, ✖ Ej uppfyllt och "
    "○ Ej bedömt när det saknas underlag. Utgångna mål visas med beslutet."
)
page = goal_page(store, period)
if not page.goals:
    st.info("Inga mål är satta ännu. Lägg till dem under Administrera eller läs in en målfil.")
else:
    st.header("Månad för månad")
    show_scorecard(page, period)
    chosen = choose_goal(page)
    if chosen is not None:
        show_trend(store, page, chosen, meeting_mode=filters.meeting_mode)
    st.header("Målen i detalj")
show_goals(page.goals, page.records, page.history)
projects = sorted({g.project for g in page.goals})
admin_panel(store, page.goals, projects)
budget_admin(store, projects)
