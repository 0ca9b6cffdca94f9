"""The store keeps each import whole, one current snapshot per project and month, and a trail."""

from __future__ import annotations

import threading
from datetime import date

import polars as pl
import pytest
import sqlalchemy as sa
from polars.testing import assert_frame_equal

from ingest import schema
from store import ImportNotFound, ImportRecord, SnapshotExists, Store, bulk
from store import store as store_module
from store.tables import audit_log, imports
from store.tables import cases as case_table


def canonical(rows: list[dict]) -> pl.DataFrame:
    """A canonical case frame; fields a row leaves out are null (``anonymous`` is False)."""
    blank = dict.fromkeys(schema.CASE_COLUMNS)
    return pl.DataFrame(
        [{**blank, "anonymous": False, **row} for row in rows], schema=schema.CASE_DTYPES
    )


def case(case_id: str, project: str = "SAMRE", **fields: object) -> dict:
    return {
        "case_id": case_id,
        "project": project,
        "municipality": "Sollentuna",
        "municipality_code": "0163",
        "gender": "K",
        "start_date": date(2018, 3, 1),
        **fields,
    }


FULL = case(
    "A1",
    district="Centrum",
    age=34,
    age_group="25-34",
    born_abroad=True,
    education="gymnasial",
    end_date=date(2019, 1, 15),
    months_on_aid=27,
    diagnosis_group="psykiatrisk",
    sick_note=False,
    joint_plan=True,
    sip_meetings=2,
    income_start="ekonomiskt_bistand",
    active_start=False,
    step_start=1,
    income_end="lon",
    aid_end="inget",
    active_end=True,
    step_end=6,
    exit_reason="arbete",
)


@pytest.fixture
def store(database_url: str):
    opened = Store(database_url)
    yield opened
    opened.close()


def save(
    store: Store,
    frame: pl.DataFrame,
    month: str = "2019-03",
    *,
    sha256: str | None = None,
    replace: bool = False,
    imported_by: str = "anna",
) -> list[ImportRecord]:
    return store.save_snapshots(
        file_name=f"export_{month}.csv",
        sha256=sha256 or f"sha-{month}",
        report_month=month,
        cases=frame,
        imported_by=imported_by,
        replace=replace,
    )


def table_counts(store: Store) -> dict[str, object]:
    with store.engine.connect() as connection:
        return {
            "imports": connection.execute(
                sa.select(imports.c.id, imports.c.status, imports.c.replaced_by).order_by(
                    imports.c.id
                )
            ).all(),
            "cases": connection.execute(
                sa.select(sa.func.count()).select_from(case_table)
            ).scalar_one(),
            "audit": connection.execute(
                sa.select(sa.func.count()).select_from(audit_log)
            ).scalar_one(),
        }


def without_keys(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.drop("report_month", "import_id").sort("project", "case_id")


def test_round_trip_keeps_dtypes_values_and_nulls(store: Store) -> None:
    frame = canonical(
        [
            FULL,
            case("A2", gender="M", anonymous=True),  # only the required fields
            case("A3", born_abroad=False, sip_meetings=0, step_start=3, end_date=None),
        ]
    )
    (record,) = save(store, frame)

    loaded = store.load_snapshots()

    assert loaded.schema == pl.Schema(schema.SNAPSHOT_DTYPES)
    assert_frame_equal(without_keys(loaded), frame.sort("project", "case_id"))
    assert loaded.get_column("report_month").to_list() == ["2019-03"] * 3
    assert loaded.get_column("import_id").to_list() == [record.id] * 3
    assert_frame_equal(store.load_import(record.id), loaded)


def test_column_empty_at_the_top_of_a_large_import_keeps_its_type(store: Store) -> None:
    """SQLite's reader guesses types from the first rows; a late value must still come back."""
    rows = [case(f"N{i:05d}") for i in range(3000)]
    rows[-1] = case("N02999", district="Kista", end_date=date(2020, 2, 2), born_abroad=True)
    frame = canonical(rows)
    save(store, frame)

    loaded = store.load_snapshots()

    assert loaded.schema == pl.Schema(schema.SNAPSHOT_DTYPES)
    assert_frame_equal(without_keys(loaded), frame.sort("project", "case_id"))


def test_large_imports_are_read_in_ranges_without_losing_or_repeating_rows(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_module, "_MIN_RANGE_ROWS", 7)
    big = canonical([case(f"B{i:03d}", age=16 + i % 50) for i in range(101)])
    small = canonical([case(f"S{i}", project=f"P{i}") for i in range(5)])
    save(store, big, "2019-01")
    save(store, small, "2019-02")

    loaded = store.load_snapshots()

    assert_frame_equal(without_keys(loaded), pl.concat([big, small]).sort("project", "case_id"))
    # Rows come back in import order and, within an import, in file order.
    assert loaded.get_column("case_id").head(101).to_list() == big.get_column("case_id").to_list()


def test_several_projects_in_one_file_become_one_import_each(store: Store) -> None:
    frame = canonical([case("A1"), case("K1", project="Kaosam"), case("A2")])

    records = save(store, frame)

    assert {(r.project, r.rows, r.status) for r in records} == {
        ("SAMRE", 2, "current"),
        ("Kaosam", 1, "current"),
    }
    assert {r.sha256 for r in records} == {"sha-2019-03"}
    assert store.current_import("Kaosam", "2019-03") == next(
        r for r in records if r.project == "Kaosam"
    )
    samre = store.load_snapshots(project="SAMRE")
    assert sorted(samre.get_column("case_id").to_list()) == ["A1", "A2"]
    assert {r.id for r in store.imports_with_sha256("sha-2019-03")} == {r.id for r in records}


def test_existing_month_is_not_replaced_without_confirmation(store: Store) -> None:
    (first,) = save(store, canonical([case("A1")]))
    before = table_counts(store)

    with pytest.raises(SnapshotExists) as raised:
        save(store, canonical([case("A9"), case("K1", project="Kaosam")]), sha256="other")

    assert raised.value.existing == [first]
    assert "SAMRE 2019-03" in str(raised.value)
    assert table_counts(store) == before
    assert store.load_snapshots().get_column("case_id").to_list() == ["A1"]


def test_confirmed_replace_keeps_the_old_snapshot_as_replaced(store: Store) -> None:
    (old,) = save(store, canonical([case("A1"), case("A2")]))

    (new,) = save(store, canonical([case("A9")]), sha256="other", replace=True)

    statuses = {r.id: (r.status, r.replaced_by) for r in store.history()}
    assert statuses == {old.id: ("replaced", new.id), new.id: ("current", None)}
    assert store.current_import("SAMRE", "2019-03") == new
    assert store.load_snapshots().get_column("case_id").to_list() == ["A9"]
    assert store.load_import(old.id).get_column("case_id").to_list() == ["A1", "A2"]
    assert [e["action"] for e in store.audit_entries()][:1] == ["replace"]
    assert store.audit_entries()[0]["detail"]["replaced_import"] == old.id


def test_restore_makes_an_old_snapshot_current_again(store: Store) -> None:
    (old,) = save(store, canonical([case("A1")]))
    (new,) = save(store, canonical([case("A9")]), sha256="other", replace=True)

    restored = store.restore(old.id, restored_by="bertil")

    assert restored.status == "current"
    assert restored.replaced_by is None
    current = store.current_import("SAMRE", "2019-03")
    assert current is not None and current.id == old.id
    assert {r.id: r.status for r in store.history()} == {old.id: "current", new.id: "replaced"}
    assert store.load_snapshots().get_column("case_id").to_list() == ["A1"]
    entry = store.audit_entries()[0]
    assert (entry["actor"], entry["action"], entry["target"]) == (
        "bertil",
        "restore",
        f"import {old.id}",
    )
    assert entry["detail"]["replaced_import"] == new.id


def test_restore_of_an_unknown_import_is_refused(store: Store) -> None:
    with pytest.raises(ImportNotFound):
        store.restore(4711, restored_by="bertil")
    with pytest.raises(ImportNotFound):
        store.load_import(4711)


def test_failure_after_the_import_rows_are_written_leaves_every_table_unchanged(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    (old,) = save(store, canonical([case("A1")]))
    before = table_counts(store)

    def broken_ingest(self, table, frame):
        # The imports rows and audit entries of this import exist by now.
        assert self.execute(sa.select(sa.func.count()).select_from(imports))[0][0] == 3
        raise RuntimeError("disken är full")

    monkeypatch.setattr(bulk.BulkConnection, "ingest", broken_ingest)
    with pytest.raises(RuntimeError, match="disken är full"):
        save(store, canonical([case("A9"), case("K1", project="Kaosam")]), replace=True)

    assert table_counts(store) == before
    assert store.current_import("SAMRE", "2019-03") == old
    assert store.load_snapshots().get_column("case_id").to_list() == ["A1"]


def test_a_row_the_database_refuses_leaves_every_table_unchanged(store: Store) -> None:
    save(store, canonical([case("A1")]), "2019-02")
    before = table_counts(store)
    broken = canonical([case("A1"), case("A2", gender=None)])  # gender is NOT NULL

    with pytest.raises(Exception):  # noqa: B017 - each driver raises its own error class
        save(store, broken)

    assert table_counts(store) == before
    assert store.current_import("SAMRE", "2019-03") is None


def test_database_allows_only_one_current_snapshot_per_project_and_month(store: Store) -> None:
    (first,) = save(store, canonical([case("A1")]))
    row = {
        "file_name": "x.csv",
        "sha256": "x",
        "project": "SAMRE",
        "report_month": "2019-03",
        "rows": 1,
        "imported_by": "anna",
        "imported_at": first.imported_at,
    }
    with store.engine.begin() as connection:
        connection.execute(sa.insert(imports).values(**row, status="replaced"))
    with pytest.raises(sa.exc.IntegrityError), store.engine.begin() as connection:
        connection.execute(sa.insert(imports).values(**row, status="current"))


def test_snapshots_of_every_month_make_the_trend_base(store: Store) -> None:
    save(store, canonical([case("A1")]), "2019-01")
    save(store, canonical([case("A1"), case("A2")]), "2019-02")
    save(store, canonical([case("K1", project="Kaosam")]), "2019-02")
    save(store, canonical([case("A1"), case("A2"), case("A3")]), "2019-02", replace=True)

    trend = store.load_snapshots(project="SAMRE")

    counts = dict(trend.group_by("report_month").len().iter_rows())
    assert counts == {"2019-01": 1, "2019-02": 3}
    assert store.load_snapshots().height == 5


def test_history_is_newest_first(store: Store) -> None:
    (a,) = save(store, canonical([case("A1")]), "2019-01")
    (b,) = save(store, canonical([case("A1")]), "2019-02")

    assert [r.id for r in store.history()] == [b.id, a.id]


def test_empty_store_and_demo_data(store: Store) -> None:
    assert store.is_empty()
    assert not store.has_demo_data()
    assert store.load_snapshots().schema == pl.Schema(schema.SNAPSHOT_DTYPES)
    assert store.load_snapshots().is_empty()

    save(store, canonical([case("A1")]), imported_by="anna")
    assert not store.is_empty()
    assert not store.has_demo_data()

    save(store, canonical([case("D1", project="Demo")]), "2019-04", imported_by="demo")
    assert store.has_demo_data()


def test_audit_entries_are_kept_newest_first_and_filtered_by_day(store: Store) -> None:
    (record,) = save(store, canonical([case("A1")]))
    store.audit("cecilia", "purge", "SAMRE", {"before": "2018-01"})

    entries = store.audit_entries()

    assert [(e["actor"], e["action"]) for e in entries] == [
        ("cecilia", "purge"),
        ("anna", "import"),
    ]
    assert entries[1]["target"] == f"import {record.id}"
    assert entries[1]["detail"]["rows"] == 1
    assert entries[0]["at"].tzinfo is not None
    today = entries[0]["at"].date()
    assert len(store.audit_entries(since=today)) == 2
    assert store.audit_entries(since=date(today.year + 1, 1, 1)) == []


def test_threads_sharing_one_store_see_each_others_imports(store: Store) -> None:
    """The app shares one store between sessions: writes and reads from threads interleave."""
    errors: list[BaseException] = []
    months = [f"2020-{m:02d}" for m in range(1, 9)]

    def write() -> None:
        try:
            for month in months:
                save(store, canonical([case("A1"), case("A2")]), month)
        except BaseException as exc:
            errors.append(exc)

    def read() -> None:
        try:
            for _ in range(8):
                loaded = store.load_snapshots()
                # Each import is whole or absent: never a part of one.
                assert loaded.height % 2 == 0
                store.history()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write), threading.Thread(target=read)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert sorted(store.load_snapshots().get_column("report_month").unique()) == months
