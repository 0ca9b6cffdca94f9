"""The shared sidebar filters: kept across pages and mirrored in the URL query string.

A copied link opens the same view: every filter is read from ``st.query_params`` on the
first run of a session and written back after every change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import polars as pl
import streamlit as st

from ingest.schema import AGE_GROUPS, CODE_LABELS, GENDER_CODES

#: filter key -> query-string parameter
QUERY_KEYS: dict[str, str] = {
    "projects": "insats",
    "municipalities": "kommun",
    "genders": "kon",
    "age_groups": "aldersgrupp",
    "start_from": "start_fran",
    "start_to": "start_till",
    "report_month": "manad",
    "meeting_mode": "mote",
}
_LIST_FILTERS = ("projects", "municipalities", "genders", "age_groups")


@dataclass(frozen=True)
class Filters:
    projects: list[str] = field(default_factory=list)
    municipalities: list[str] = field(default_factory=list)
    genders: list[str] = field(default_factory=list)
    age_groups: list[str] = field(default_factory=list)
    start_from: date | None = None
    start_to: date | None = None
    report_month: str | None = None  # None = each project's newest month
    meeting_mode: bool = False

    def describe(self) -> str:
        """One Swedish line saying what the figures cover."""
        parts = []
        if self.projects:
            parts.append("insats " + ", ".join(self.projects))
        if self.municipalities:
            parts.append("kommun " + ", ".join(self.municipalities))
        if self.genders:
            parts.append("kön " + ", ".join(CODE_LABELS["gender"][g] for g in self.genders))
        if self.age_groups:
            parts.append("ålder " + ", ".join(self.age_groups))
        if self.start_from or self.start_to:
            lo = self.start_from.isoformat() if self.start_from else "…"
            hi = self.start_to.isoformat() if self.start_to else "…"
            parts.append(f"start {lo} – {hi}")
        month = self.report_month or "senaste månaden"
        scope = "; ".join(parts) if parts else "alla deltagare"
        return f"Urval: {scope}. Rapportmånad: {month}."


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
    for key in _LIST_FILTERS:
        wanted = params.get_all(QUERY_KEYS[key])
        st.session_state[f"filter_{key}"] = [v for v in wanted if v in options[key]]
    month = params.get(QUERY_KEYS["report_month"])
    st.session_state["filter_report_month"] = (
        month if month in options["report_month"] else options["report_month"][0]
    )
    st.session_state["filter_start_from"] = _parse_date(params.get(QUERY_KEYS["start_from"]))
    st.session_state["filter_start_to"] = _parse_date(params.get(QUERY_KEYS["start_to"]))
    st.session_state["filter_meeting_mode"] = params.get(QUERY_KEYS["meeting_mode"]) == "1"
    st.session_state["_filters_seeded"] = True


def _write_query(filters: Filters) -> None:
    query: dict[str, str | list[str]] = {}
    for key in _LIST_FILTERS:
        values = getattr(filters, key)
        if values:
            query[QUERY_KEYS[key]] = values
    if filters.start_from:
        query[QUERY_KEYS["start_from"]] = filters.start_from.isoformat()
    if filters.start_to:
        query[QUERY_KEYS["start_to"]] = filters.start_to.isoformat()
    if filters.report_month:
        query[QUERY_KEYS["report_month"]] = filters.report_month
    if filters.meeting_mode:
        query[QUERY_KEYS["meeting_mode"]] = "1"
    current = {k: st.query_params.get_all(k) for k in st.query_params}
    wanted = {k: v if isinstance(v, list) else [v] for k, v in query.items()}
    if current != wanted:
        st.query_params.from_dict(query)


LATEST = "Senaste"


def sidebar_filters(snapshots: pl.DataFrame) -> Filters:
    """Draw the shared filters in the sidebar and return what is chosen."""
    months = sorted(snapshots["report_month"].unique().drop_nulls().to_list(), reverse=True)
    options = {
        "projects": sorted(snapshots["project"].unique().drop_nulls().to_list()),
        "municipalities": sorted(snapshots["municipality"].unique().drop_nulls().to_list()),
        "genders": list(GENDER_CODES),
        "age_groups": list(AGE_GROUPS),
        "report_month": [LATEST, *months],
    }
    _seed_from_query(options)
    side = st.sidebar
    side.header("Urval")
    side.selectbox(
        "Rapportmånad",
        options["report_month"],
        key="filter_report_month",
        help="Vilken månads ögonblicksbild som visas. 'Senaste' är varje insats senaste export.",
    )
    side.multiselect(
        "Insats", options["projects"], key="filter_projects", placeholder="Alla insatser"
    )
    side.multiselect(
        "Kommun",
        options["municipalities"],
        key="filter_municipalities",
        placeholder="Alla kommuner",
    )
    side.multiselect(
        "Kön",
        options["genders"],
        key="filter_genders",
        format_func=lambda code: CODE_LABELS["gender"][code],
        placeholder="Alla",
    )
    side.multiselect(
        "Åldersgrupp", options["age_groups"], key="filter_age_groups", placeholder="Alla"
    )
    left, right = side.columns(2)
    left.date_input("Start från", key="filter_start_from", format="YYYY-MM-DD")
    right.date_input("Start till", key="filter_start_to", format="YYYY-MM-DD")
    side.toggle(
        "Mötesläge",
        key="filter_meeting_mode",
        help="Stor text och dold sidopanel, för en gemensam skärm.",
    )
    month = st.session_state["filter_report_month"]
    filters = Filters(
        projects=list(st.session_state["filter_projects"]),
        municipalities=list(st.session_state["filter_municipalities"]),
        genders=list(st.session_state["filter_genders"]),
        age_groups=list(st.session_state["filter_age_groups"]),
        start_from=st.session_state["filter_start_from"],
        start_to=st.session_state["filter_start_to"],
        report_month=None if month == LATEST else month,
        meeting_mode=bool(st.session_state["filter_meeting_mode"]),
    )
    _write_query(filters)
    st.session_state["_current_filters"] = filters
    return filters


def current_filters() -> Filters:
    """The filters the sidebar set on this run (pages read them from here)."""
    return st.session_state.get("_current_filters", Filters())
