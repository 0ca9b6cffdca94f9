"""Ekonomi: each insats's budget and outcome per year, and what a participant costs."""

from __future__ import annotations

import streamlit as st

from budgets.service import budget_years
from ui.budget import HOW_TO_RECORD, show_costs, year_costs
from ui.filters import current_filters
from ui.layout import chart_font_size, empty_state
from ui.state import filter_choices, get_store
from ui.text import escape_markdown

store = get_store()
filters = current_filters()
st.title("Ekonomi")
st.write(
    "Budget och utfall per insats och år, och vad en deltagare kostar: per deltagare under "
    "året, per avslutad deltagare och per självförsörjande. Kostnaden är det registrerade "
    "utfallet, eller budgeten så länge inget utfall är registrerat; det står vid varje "
    "insats vilket. Antalen räknas som alla periodsiffror, ur insatsens senaste export, och "
    "skyddas som alla andra tal."
)

years = budget_years(store)
if not years:
    empty_state(
        "Ingen budget är registrerad ännu, så det finns inga kostnader att visa. " + HOW_TO_RECORD
    )
    st.stop()

# A year chosen as the sidebar's period is where the page starts.
period = filters.selection.period
start = (
    years.index(period.first.year)
    if period and period.kind == "year" and period.first.year in years
    else 0
)
year = st.selectbox("År", years, index=start, key="economy_year", placeholder="Välj ett år")
items = year_costs(store, year, filters.report_month)
if filters.report_month is not None:
    st.caption(
        f"Antalen är läget enligt exporterna till och med rapportmånaden {filters.report_month}."
    )
chosen = filters.selection.chosen("project")
if chosen is not None:
    items = [item for item in items if item.project in chosen]
if filters.selection.is_filtered:
    st.caption(
        "Budgeten gäller hela insatsen, så av urvalet i sidomenyn används här bara insats och "
        "rapportmånad; kommun, kön, ålder och startdatum gäller inte kostnaderna."
    )
if not items:
    empty_state(f"Ingen av de valda insatserna har budget eller utfall för {year}. {HOW_TO_RECORD}")
    st.stop()

show_costs(items, year, chart_font_size(filters.meeting_mode))

months = filter_choices().select("project", "report_month").unique()
active = months.filter(months["report_month"].str.starts_with(str(year)))["project"].unique()
missing = sorted(set(active.to_list()) - {item.project for item in items})
if chosen is not None:
    missing = [p for p in missing if p in chosen]
if missing:
    st.info(
        escape_markdown(f"Ingen budget är registrerad för {year} för: {', '.join(missing)}. ")
        + HOW_TO_RECORD,
        icon=":material/info:",
    )
