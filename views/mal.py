"""Mål: the board's goals in the traffic-light model, with each month's status."""

from __future__ import annotations

import streamlit as st

from ui.budget import budget_admin
from ui.goals import admin_panel, goal_view, show_goals
from ui.state import get_store

store = get_store()
st.title("Mål")
st.write(
    "Styrelsens mål i trafikljusmodellen: ✔ Uppfyllt, ◐ Delvis uppfyllt, ✖ Ej uppfyllt och "
    "○ Ej bedömt när det saknas underlag. Utgångna mål visas med beslutet."
)
goals, records, history = goal_view(store)
if not goals:
    st.info("Inga mål är satta ännu. Lägg till dem under Administrera eller läs in en målfil.")
show_goals(goals, records, history)
admin_panel(store, goals, sorted({g.project for g in goals}))
budget_admin(store, sorted({g.project for g in goals}))
