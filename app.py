"""Lägesbild: the entry point. Wires navigation, the shared filters and the page furniture."""

from __future__ import annotations

import streamlit as st

from access.roles import Action, can
from ui.demo import empty_database_notice, prepare_demo
from ui.filters import QUERY_KEYS, sidebar_filters
from ui.identity import session_user
from ui.layout import demo_notice, set_language_and_style
from ui.state import filter_choices, get_store

_meeting = bool(
    st.session_state.get(
        "filter_meeting_mode", st.query_params.get(QUERY_KEYS["meeting_mode"]) == "1"
    )
)
st.set_page_config(
    page_title="Lägesbild",
    page_icon=":material/dashboard:",
    layout="wide",
    initial_sidebar_state="collapsed" if _meeting else "expanded",
)

# Swedish on every screen, the sign-in and refusal screens included.
set_language_and_style(_meeting)
# Who is here decides everything below: not signed in or without a role, the run stops.
user = session_user()
store = get_store()
# The one place data may appear on its own: the demo set, on an empty database, by setting.
prepare_demo(store)
snapshots = filter_choices()

PAGES = {
    "Lägesbild": [
        st.Page("views/oversikt.py", title="Översikt", icon=":material/home:", default=True),
        st.Page("views/utfall.py", title="Utfall", icon=":material/call_split:"),
        st.Page("views/kommuner.py", title="Kommuner", icon=":material/location_city:"),
        st.Page("views/trender.py", title="Trender", icon=":material/show_chart:"),
        st.Page("views/mal.py", title="Mål", icon=":material/flag:"),
        st.Page("views/ekonomi.py", title="Ekonomi", icon=":material/payments:"),
    ],
    "Data": [
        st.Page("views/datakvalitet.py", title="Datakvalitet", icon=":material/fact_check:"),
        st.Page("views/definitioner.py", title="Definitioner", icon=":material/menu_book:"),
    ],
}
# Built from the role on every run: a page left out cannot be reached at all.
if can(user, Action.IMPORT):
    PAGES["Data"].append(
        st.Page("views/ladda_upp.py", title="Ladda upp", icon=":material/upload_file:")
    )
if can(user, Action.VIEW_AUDIT):
    PAGES["Data"].append(st.Page("views/logg.py", title="Logg", icon=":material/history:"))
filters = sidebar_filters(snapshots)
navigation = st.navigation(PAGES)
demo_notice(store.has_demo_data())
empty_database_notice(store)
navigation.run()
