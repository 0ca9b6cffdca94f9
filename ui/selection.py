"""The rows a page looks at, from the shared filters, with the metric calls cached.

Pages ask for metric frames through these functions; each result is cached by the store's
data version and the filters, so flipping a filter back and forth costs nothing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import polars as pl
import streamlit as st

from metrics.protection import (
    SUPPRESSION_THRESHOLD,
    DetailSum,
    protect_counts,
    protect_detail,
    protected_metrics,
)
from metrics.selection import apply_filters, latest_snapshot, snapshot_as_of
from ui.filters import Filters, current_filters
from ui.state import data_version, get_store, load_snapshots


def _filter_kwargs(filters: Filters) -> dict:
    return {
        "projects": filters.projects or None,
        "municipalities": filters.municipalities or None,
        "genders": filters.genders or None,
        "age_groups": filters.age_groups or None,
        "start_from": filters.start_from,
        "start_to": filters.start_to,
    }


def filtered_snapshots(filters: Filters | None = None) -> pl.LazyFrame:
    """Every month's snapshot (up to the chosen report month), with the filters applied."""
    filters = filters or current_filters()
    snapshots = snapshot_as_of(load_snapshots(), filters.report_month, all_months=True)
    return apply_filters(snapshots, **_filter_kwargs(filters))


def selected_cases(filters: Filters | None = None) -> pl.LazyFrame:
    """Each project's newest snapshot as of the chosen month, with the filters applied."""
    return latest_snapshot(filtered_snapshots(filters))


def unfiltered(filters: Filters) -> Filters:
    """The same view without the user's filters: the report month only."""
    return Filters(report_month=filters.report_month)


def is_filtered(filters: Filters) -> bool:
    return _key(unfiltered(filters)) != _key(filters)


def _key(filters: Filters) -> tuple:
    return dataclasses.astuple(dataclasses.replace(filters, meeting_mode=False))


@st.cache_data(show_spinner=False, max_entries=512)
def _metrics(
    version: tuple,
    filter_key: tuple,
    metrics: tuple[str, ...] | None,
    by: tuple[str, ...],
    over_months: bool,
    suppress: int,
) -> pl.DataFrame:
    filters = current_filters()
    choose = filtered_snapshots if over_months else selected_cases
    reference = choose(unfiltered(filters)) if is_filtered(filters) else None
    return protected_metrics(
        choose(filters),
        metrics=list(metrics) if metrics else None,
        by=list(by),
        threshold=suppress,
        reference=reference,
    )


def metric_frame(
    metrics: Sequence[str] | None = None,
    by: Sequence[str] = (),
    *,
    over_months: bool = False,
) -> pl.DataFrame:
    """Catalogue metrics for the current selection, suppressed for small numbers.

    With ``over_months`` the frame covers every report month (add ``report_month`` to
    ``by`` for a trend); otherwise each project's newest snapshot.
    """
    filters = current_filters()
    return _metrics(
        data_version(get_store()),
        _key(filters),
        tuple(metrics) if metrics else None,
        tuple(by),
        over_months,
        SUPPRESSION_THRESHOLD,
    )


def cached(function, *args, over_months: bool = False):
    """Call a metrics function on the current selection, cached by data and filters."""
    filters = current_filters()
    return _cached_call(
        data_version(get_store()),
        _key(filters),
        f"{function.__module__}.{function.__qualname__}",
        args,
        over_months,
        function,
    )


@st.cache_data(show_spinner=False, max_entries=512)
def _cached_call(version, filter_key, name, args, over_months, _function):
    filters = current_filters()
    cases = filtered_snapshots(filters) if over_months else selected_cases(filters)
    return _function(cases, *args)


FILTER_NOTICE = (
    "Några tal döljs (visas som ”dold”): urvalet lämnar ute färre än {threshold} deltagare "
    "jämfört med samma vy utan filter, och då skulle de utelämnade kunna räknas fram som "
    "skillnaden. Välj ett bredare urval för att se dem."
)


def show_filter_notice() -> None:
    """Say why numbers are hidden when the filters leave out only a few participants."""
    filters = current_filters()
    if not is_filtered(filters):
        return
    totals = metric_frame()
    if (totals["hidden_reason"] == "filter").any():
        st.info(
            FILTER_NOTICE.format(threshold=SUPPRESSION_THRESHOLD), icon=":material/visibility_off:"
        )


@st.cache_data(show_spinner=False, max_entries=128)
def _detail(version: tuple, filter_key: tuple, name: str, suppress: int, _function, _sums):
    filters = current_filters()
    cases = selected_cases(filters)
    reference = selected_cases(unfiltered(filters)) if is_filtered(filters) else None
    protected = protect_counts(cases, threshold=suppress, reference=reference)
    return protect_detail(_function(cases), _sums, protected)


def protected_detail(function, sums: Sequence[DetailSum]) -> pl.DataFrame:
    """A detail table (flows, outcome routes, step grid) protected with the linked set."""
    filters = current_filters()
    return _detail(
        data_version(get_store()),
        _key(filters),
        f"{function.__module__}.{function.__qualname__}",
        SUPPRESSION_THRESHOLD,
        function,
        tuple(sums),
    )
