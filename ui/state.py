"""Streamlit glue for the store: one cached store per process, shared snapshot scans.

The store is opened once per server process (``st.cache_resource``). The snapshots are a
lazy scan of the store's Parquet cache, shared by every session (never copied, never
mutated) and keyed by the store's data version, so an import, replace or restore shows at
once; a page collects only the months and columns it uses.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from store import Store


@st.cache_resource(show_spinner=False)
def _open_store() -> Store:
    return Store()


def get_store() -> Store:
    """The shared store, as it is: opening it loads nothing (the demo step is
    ``ui.demo.prepare_demo``)."""
    return _open_store()


def data_version(store: Store) -> tuple:
    """Changes whenever an import, replacement or restore changes what is current."""
    return tuple((r.id, r.status) for r in store.history())


@st.cache_resource(show_spinner=False, max_entries=4)
def _snapshots(_store: Store, version: tuple) -> pl.LazyFrame:
    return _store.scan_snapshots()


def load_snapshots() -> pl.LazyFrame:
    """Every current snapshot of every month, as a lazy frame the metrics layer takes."""
    store = get_store()
    return _snapshots(store, data_version(store))


@st.cache_data(show_spinner=False, max_entries=4)
def _filter_choices(_store: Store, version: tuple) -> pl.DataFrame:
    return (
        _snapshots(_store, version)
        .select("report_month", "project", "municipality")
        .unique()
        .sort(pl.all(), nulls_last=True)
        .collect()
    )


def filter_choices() -> pl.DataFrame:
    """Each (report month, project, municipality) that occurs: what the filters offer."""
    store = get_store()
    return _filter_choices(store, data_version(store))


def imports_frame() -> pl.DataFrame:
    """The import history as a frame (project, report_month, status, imported_at, ...)."""
    records = get_store().history()
    return pl.DataFrame(
        {
            "id": [r.id for r in records],
            "project": [r.project for r in records],
            "report_month": [r.report_month for r in records],
            "status": [r.status for r in records],
            "rows": [r.rows for r in records],
            "file_name": [r.file_name for r in records],
            "imported_by": [r.imported_by for r in records],
            "imported_at": [r.imported_at for r in records],
        },
        schema={
            "id": pl.Int64,
            "project": pl.String,
            "report_month": pl.String,
            "status": pl.String,
            "rows": pl.Int64,
            "file_name": pl.String,
            "imported_by": pl.String,
            "imported_at": pl.Datetime("us", "UTC"),
        },
    )
