"""Opening a store brings any database, empty or not, to the current schema, once."""

from __future__ import annotations

from datetime import date

import polars as pl
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from ingest import schema
from store import Store
from store.database import alembic_config
from store.tables import metadata


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the migrations have one head"
    return head


def current_revision(store: Store) -> str | None:
    with store.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def test_opening_an_empty_database_creates_the_tables(database_url: str) -> None:
    store = Store(database_url)
    try:
        tables = set(sa.inspect(store.engine).get_table_names())
        assert {"imports", "cases", "audit_log", "alembic_version"} <= tables
        assert current_revision(store) == head_revision()
    finally:
        store.close()


def test_reopening_changes_nothing_and_keeps_the_data(database_url: str) -> None:
    first = Store(database_url)
    frame = pl.DataFrame(
        [
            {
                **dict.fromkeys(schema.CASE_COLUMNS),
                "case_id": "A1",
                "project": "SAMRE",
                "municipality": "Sigtuna",
                "gender": "M",
                "start_date": date(2018, 5, 2),
                "anonymous": False,
            }
        ],
        schema=schema.CASE_DTYPES,
    )
    (record,) = first.save_snapshots(
        file_name="a.csv",
        sha256="a",
        report_month="2019-05",
        cases=frame,
        imported_by="anna",
        replace=False,
    )
    first.close()

    again = Store(database_url)
    try:
        assert current_revision(again) == head_revision()
        assert again.history() == [record]
        assert again.load_snapshots().get_column("case_id").to_list() == ["A1"]
    finally:
        again.close()


SNAPSHOT_TABLES = {"imports", "cases", "audit_log"}


def test_migrated_database_matches_the_table_definitions(database_url: str) -> None:
    """Queries are written against ``store.tables``; the migrations must build exactly that."""
    store = Store(database_url)

    def ours(name: str | None, kind: str, parent: dict) -> bool:
        if kind == "schema":
            return True
        table = name if kind == "table" else parent.get("table_name")
        return table in SNAPSHOT_TABLES

    try:
        with store.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"include_name": ours})
            differences = compare_metadata(context, metadata)
        assert differences == []
    finally:
        store.close()


def test_case_columns_get_real_types(database_url: str) -> None:
    store = Store(database_url)
    try:
        columns = {c["name"]: c for c in sa.inspect(store.engine).get_columns("cases")}
    finally:
        store.close()
    assert set(schema.CASE_COLUMNS) <= set(columns)
    assert isinstance(columns["start_date"]["type"], sa.Date)
    assert isinstance(columns["born_abroad"]["type"], sa.Boolean)
    assert isinstance(columns["age"]["type"], sa.Integer)
    assert columns["case_id"]["nullable"] is False
    assert columns["end_date"]["nullable"] is True
