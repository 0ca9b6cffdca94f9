"""The shared sidebar filters: kept across pages and mirrored in the URL query string.

A copied link opens the same view: every filter is read from ``st.query_params`` on the
first run of a session and written back after every change. What a filter does is
:class:`metrics.selection.Selection`'s; here are only the widgets and the URL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import partial

import polars as pl
import streamlit as st

from ingest.schema import BREAKDOWN_HEADERS, FIELDS_BY_NAME
from metrics.period import Period, parse_period, recent_periods, year_to_date
from metrics.selection import Selection
from presentation.selection import describe_selection, value_label

#: The filter fields the sidebar offers, with the placeholder shown when none is chosen.
SIDEBAR_FIELDS: dict[str, str] = {
    "project": "Alla insatser",
    "municipality": "Alla kommuner",
    "gender": "Alla",
    "age_group": "Alla",
}
#: filter key -> query-string parameter; a field's parameter is its export header.
QUERY_KEYS: dict[str, str] = {
    **{name: BREAKDOWN_HEADERS[name] for name in SIDEBAR_FIELDS},
    "start_from": "start_fran",
    "start_to": "start_till",
    "report_month": "manad",
    "period": "period",
    "meeting_mode": "mote",
}
LATEST = "Senaste"
#: The period choices that are no period (the state at the report month) and a range.
NO_PERIOD = ""
OWN_RANGE = "intervall"


@dataclass(frozen=True)
class Filters:
    """What the sidebar chose: the selection, and whether meeting mode is on."""

    selection: Selection = field(default_factory=Selection)
    meeting_mode: bool = False

    @property
    def report_month(self) -> str | None:
        return self.selection.report_month

    def describe(self) -> str:
        """One Swedish line saying what the figures cover."""
        return describe_selection(self.selection)


def _widget(name: str) -> str:
    return f"filter_{name}"


def _parse_date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _seed_from_query(options: dict[str, list[str]]) -> None:
    """On a session's first run, take the filters from the URL."""
    if st.session_state.get("_filters_seeded"):
        return
    params = st.query_params
    for name in SIDEBAR_FIELDS:
        wanted = params.get_all(QUERY_KEYS[name])
        st.session_state[_widget(name)] = [v for v in wanted if v in options[name]]
    month = params.get(QUERY_KEYS["report_month"])
    st.session_state[_widget("report_month")] = (
        month if month in options["report_month"] else options["report_month"][0]
    )
    for name in ("start_from", "start_to"):
        st.session_state[_widget(name)] = _parse_date(params.get(QUERY_KEYS[name]))
    period = _parse_period(params.get(QUERY_KEYS["period"]))
    if period is not None and period.kind == "range":
        st.session_state[_widget("period")] = OWN_RANGE
        st.session_state[_widget("period_range")] = (period.first, period.last)
    elif period is not None and period.code in options["period"]:
        st.session_state[_widget("period")] = period.code
    else:
        st.session_state[_widget("period")] = NO_PERIOD
    st.session_state[_widget("meeting_mode")] = params.get(QUERY_KEYS["meeting_mode"]) == "1"
    st.session_state["_filters_seeded"] = True


def _parse_period(text: str | None) -> Period | None:
    try:
        return parse_period(text) if text else None
    except ValueError:
        return None


def _period_label(code: str) -> str:
    if code == NO_PERIOD:
        return "Ingen: läget vid rapportmånaden"
    if code == OWN_RANGE:
        return "Eget datumintervall"
    return parse_period(code).label.capitalize()


def _chosen_period() -> Period | None:
    state = st.session_state
    code = state.get(_widget("period"), NO_PERIOD)
    if code == OWN_RANGE:
        days: tuple = state.get(_widget("period_range")) or ()
        if len(days) == 2 and days[0] is not None and days[1] is not None:
            return Period(min(days), max(days))
        return None
    return parse_period(code) if code else None


def _write_query(filters: Filters) -> None:
    selection = filters.selection
    query: dict[str, str | list[str]] = {
        QUERY_KEYS[name]: list(values) for name, values in selection.choices
    }
    for name in ("start_from", "start_to"):
        if (day := getattr(selection, name)) is not None:
            query[QUERY_KEYS[name]] = day.isoformat()
    if selection.report_month:
        query[QUERY_KEYS["report_month"]] = selection.report_month
    if selection.period is not None:
        query[QUERY_KEYS["period"]] = selection.period.code
    if filters.meeting_mode:
        query[QUERY_KEYS["meeting_mode"]] = "1"
    current = {k: st.query_params.get_all(k) for k in st.query_params}
    wanted = {k: v if isinstance(v, list) else [v] for k, v in query.items()}
    if current != wanted:
        st.query_params.from_dict(query)


def _options(snapshots: pl.DataFrame, name: str) -> list[str]:
    """A coded field offers its codes; a named one the names in the data."""
    codes = FIELDS_BY_NAME[name].codes
    if codes:
        return list(codes)
    return sorted(snapshots[name].unique().drop_nulls().to_list())


def sidebar_filters(snapshots: pl.DataFrame) -> Filters:
    """Draw the shared filters in the sidebar and return what is chosen."""
    months = sorted(snapshots["report_month"].unique().drop_nulls().to_list(), reverse=True)
    options = {name: _options(snapshots, name) for name in SIDEBAR_FIELDS}
    options["report_month"] = [LATEST, *months]
    periods = recent_periods(months[0]) if months else []
    options["period"] = [NO_PERIOD, *(p.code for p in periods), OWN_RANGE]
    _seed_from_query(options)
    side = st.sidebar
    side.header("Urval")
    side.selectbox(
        "Rapportmånad",
        options["report_month"],
        key=_widget("report_month"),
        help="Vilken månads ögonblicksbild som visas. 'Senaste' är varje insats senaste export.",
    )
    side.selectbox(
        "Period",
        options["period"],
        key=_widget("period"),
        format_func=_period_label,
        help=(
            "Siffror för ett år, halvår, kvartal eller datumintervall: deltagare under "
            "perioden, nya och avslutade, och utfallen för dem som avslutades under den."
        ),
    )
    if st.session_state.get(_widget("period")) == OWN_RANGE:
        # An own range starts as the year so far, so the figures never wait on an empty field.
        if months and _widget("period_range") not in st.session_state:
            so_far = year_to_date(months[0])
            st.session_state[_widget("period_range")] = (so_far.first, so_far.last)
        side.date_input(
            "Periodens första och sista dag", key=_widget("period_range"), format="YYYY-MM-DD"
        )
    for name, placeholder in SIDEBAR_FIELDS.items():
        side.multiselect(
            FIELDS_BY_NAME[name].label,
            options[name],
            key=_widget(name),
            format_func=partial(value_label, name),
            placeholder=placeholder,
        )
    left, right = side.columns(2)
    left.date_input("Start från", key=_widget("start_from"), format="YYYY-MM-DD")
    right.date_input("Start till", key=_widget("start_to"), format="YYYY-MM-DD")
    side.toggle(
        "Mötesläge",
        key=_widget("meeting_mode"),
        help="Stor text och dold sidopanel, för en gemensam skärm.",
    )
    state = st.session_state
    month = state[_widget("report_month")]
    filters = Filters(
        selection=Selection.of(
            None if month == LATEST else month,
            period=_chosen_period(),
            start_from=state[_widget("start_from")],
            start_to=state[_widget("start_to")],
            # Nothing chosen in a widget means every value, not none.
            **{name: state[_widget(name)] or None for name in SIDEBAR_FIELDS},
        ),
        meeting_mode=bool(state[_widget("meeting_mode")]),
    )
    _write_query(filters)
    st.session_state["_current_filters"] = filters
    return filters


def current_filters() -> Filters:
    """The filters the sidebar set on this run (pages read them from here)."""
    return st.session_state.get("_current_filters", Filters())


def current_selection() -> Selection:
    """The selection the sidebar set on this run."""
    return current_filters().selection
