"""The Parquet cache of the snapshots: the same rows as the database, rebuilt when missing,
and gone with the rows a purge deletes."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from ingest import schema
from store import Store
from tests.test_store_snapshots import canonical, case, save


@pytest.fixture
def store(database_url: str):
    opened = Store(database_url)
    yield opened
    opened.close()


def _sorted(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort("import_id", "case_id")


def _cached_case_ids(store: Store) -> set[str]:
    """Every case id in any file of the store's cache, whatever its name."""
    found: set[str] = set()
    for path in store.snapshot_cache.directory.iterdir():
        if path.is_file():
            found |= set(pl.read_parquet(path, columns=["case_id"])["case_id"].to_list())
    return found


def _three_months(store: Store) -> None:
    save(store, canonical([case("A1"), case("K1", project="Kaosam")]), "2019-01")
    save(store, canonical([case("A1"), case("A2", age=None)]), "2019-02")
    save(store, canonical([case("A1"), case("A2"), case("A3", end_date=None)]), "2019-03")


def test_scan_holds_exactly_the_current_snapshots(store: Store) -> None:
    _three_months(store)
    save(store, canonical([case("B1"), case("B2")]), "2019-02", replace=True)

    scanned = store.scan_snapshots().collect()

    assert scanned.schema == pl.Schema(schema.SNAPSHOT_DTYPES)
    assert _sorted(scanned).equals(_sorted(store.load_snapshots()))
    assert set(scanned["case_id"]) == {"A1", "A2", "A3", "K1", "B1", "B2"}


def test_missing_or_stale_files_are_rebuilt_from_the_database(store: Store) -> None:
    _three_months(store)
    expected = _sorted(store.load_snapshots())
    directory = store.snapshot_cache.directory
    for path in directory.iterdir():
        path.unlink()
    # A file no import names (left by a database restored from a backup) is never read.
    pl.DataFrame({"case_id": ["GAMMAL"]}).write_parquet(directory / "1-0000.parquet")

    assert _sorted(store.scan_snapshots().collect()).equals(expected)
    assert "GAMMAL" not in _cached_case_ids(store)


def test_restoring_a_replaced_snapshot_shows_its_rows(store: Store) -> None:
    (first,) = save(store, canonical([case("A1")]), "2019-01")
    save(store, canonical([case("B1")]), "2019-01", replace=True)
    assert store.scan_snapshots().collect()["case_id"].to_list() == ["B1"]

    store.restore(first.id, "anna")

    assert store.scan_snapshots().collect()["case_id"].to_list() == ["A1"]


def test_a_page_reads_only_the_months_it_asks_for(store: Store) -> None:
    _three_months(store)
    month = pl.col("report_month")

    february = store.scan_snapshots().filter(month == "2019-02").select("case_id").collect()

    assert sorted(february["case_id"]) == ["A1", "A2"]


def test_no_cache_file_holds_purged_rows(store: Store) -> None:
    save(store, canonical([case("GONE1"), case("GONE2")]), "2019-01")
    save(store, canonical([case("GONE3")]), "2019-02")
    save(store, canonical([case("GONE4")]), "2019-02", replace=True)  # replaced goes too
    save(store, canonical([case("KEPT1")]), "2019-03")
    save(store, canonical([case("OTHER", project="Kaosam")]), "2019-01")
    store.scan_snapshots().collect()
    assert {"GONE1", "GONE3", "GONE4"} <= _cached_case_ids(store)

    store.purge("SAMRE", date(2019, 3, 1), purged_by="anna")

    assert _cached_case_ids(store) == {"KEPT1", "OTHER"}
    assert sorted(store.scan_snapshots().collect()["case_id"]) == ["KEPT1", "OTHER"]
