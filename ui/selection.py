"""The figures a page shows, for the shared filters, with the metric calls cached.

Pages ask for metric frames through these functions; each result is cached by the store's
data version and the selection, so flipping a filter back and forth costs nothing. What
is computed, and how it is protected, is :mod:`metrics.figures`'.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl
import streamlit as st

from metrics.figures import comparison_figures, detail_figures, metric_figures
from metrics.protection import SUPPRESSION_THRESHOLD, DetailSum
from metrics.selection import Selection, select_cases
from ui.filters import current_selection
from ui.state import data_version, get_store, load_snapshots


@st.cache_data(show_spinner=False, max_entries=512)
def _metrics(
    version: tuple,
    selection: Selection,
    metrics: tuple[str, ...] | None,
    by: tuple[str, ...],
    over_months: bool,
    suppress: int,
) -> pl.DataFrame:
    return metric_figures(
        load_snapshots(), selection, metrics, by, over_months=over_months, threshold=suppress
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
    return _metrics(
        data_version(get_store()),
        current_selection(),
        tuple(metrics) if metrics else None,
        tuple(by),
        over_months,
        SUPPRESSION_THRESHOLD,
    )


@st.cache_data(show_spinner=False, max_entries=128)
def _comparison(version: tuple, selection: Selection, metric: str, unit: str, suppress: int):
    return comparison_figures(load_snapshots(), selection, metric, unit, threshold=suppress)


def comparison_frame(metric: str, unit: str) -> pl.DataFrame:
    """Units of the current selection compared with the whole, protected like the tables."""
    return _comparison(
        data_version(get_store()), current_selection(), metric, unit, SUPPRESSION_THRESHOLD
    )


def cached(function, *args, over_months: bool = False):
    """Call a metrics function on the current selection, cached by data and filters."""
    return _cached_call(
        data_version(get_store()),
        current_selection(),
        f"{function.__module__}.{function.__qualname__}",
        args,
        over_months,
        function,
    )


@st.cache_data(show_spinner=False, max_entries=512)
def _cached_call(version, selection, name, args, over_months, _function):
    return _function(select_cases(load_snapshots(), selection, over_months=over_months), *args)


def cached_figures(function):
    """Call a figures function (snapshots, selection) on the current selection, cached."""
    return _figures_call(
        data_version(get_store()),
        current_selection(),
        f"{function.__module__}.{function.__qualname__}",
        function,
    )


@st.cache_data(show_spinner=False, max_entries=128)
def _figures_call(version, selection, name, _function):
    return _function(load_snapshots(), selection)


FILTER_NOTICE = (
    "Några tal döljs (visas som ”dold”): urvalet lämnar ute färre än {threshold} deltagare "
    "jämfört med samma vy utan filter, och då skulle de utelämnade kunna räknas fram som "
    "skillnaden. Välj ett bredare urval för att se dem."
)


def show_filter_notice() -> None:
    """Say why numbers are hidden when the filters leave out only a few participants."""
    if not current_selection().is_filtered:
        return
    totals = metric_frame()
    if (totals["hidden_reason"] == "filter").any():
        st.info(
            FILTER_NOTICE.format(threshold=SUPPRESSION_THRESHOLD), icon=":material/visibility_off:"
        )


@st.cache_data(show_spinner=False, max_entries=128)
def _detail(version: tuple, selection: Selection, name: str, suppress: int, _function, _sums):
    return detail_figures(load_snapshots(), selection, _function, _sums, threshold=suppress)


def protected_detail(function, sums: Sequence[DetailSum]) -> pl.DataFrame:
    """A detail table (flows, outcome routes, step grid) protected with the linked set."""
    return _detail(
        data_version(get_store()),
        current_selection(),
        f"{function.__module__}.{function.__qualname__}",
        SUPPRESSION_THRESHOLD,
        function,
        tuple(sums),
    )
