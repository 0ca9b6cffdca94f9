"""Streamlit glue for the demo set: the start-up step that loads it, and the empty state.

``app.py`` calls ``prepare_demo`` once per run, so on an empty database the first screen
shows the fictitious demo set; with ``LAGESBILD_DEMO=0`` the database stays empty and every
page says why and what to do.
"""

from __future__ import annotations

import streamlit as st

from demo.load import DEMO_SETTING_ENV, demo_enabled
from demo.load import prepare_demo as load_demo_when_empty
from store import Store

EMPTY_TEXT = (
    "Databasen är tom: inga exporter är inlästa ännu, och demodatat är avstängt "
    f"({DEMO_SETTING_ENV}=0). Ladda upp månadens export under Ladda upp, eller läs in det "
    "fiktiva demodatat med kommandot `python cli.py demo`."
)


def prepare_demo(store: Store) -> None:
    """Load the demo set into an empty database when the setting allows (the default)."""
    if not demo_enabled():
        return
    # The spinner shows only when the step takes more than half a second: a first load.
    with st.spinner("Databasen är tom: läser in det fiktiva demodatat …"):
        load_demo_when_empty(store)


def empty_database_notice(store: Store) -> None:
    """On an empty database with the demo turned off: say so, and how to fill it."""
    if not demo_enabled() and store.is_empty():
        st.info(EMPTY_TEXT, icon=":material/database:")
