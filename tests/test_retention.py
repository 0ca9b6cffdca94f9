"""Gallring: a project's snapshots and goal history before a date go, nothing newer does."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

import cli
from access.roles import system_user
from goals.model import Goal
from goals.service import create_goal, goal_history
from store import ImportNotFound, Store
from store.goal_store import GoalStore
from store.importer import import_export
from store.tables import cases

HEADER = "deltagare_id;insats;kommun;kon;startdatum\n"


def _export(project: str, month: str, rows: int) -> bytes:
    body = "".join(f"{project[:2]}{month}{i};{project};Sigtuna;K;2018-01-01\n" for i in range(rows))
    return (HEADER + body).encode()


@pytest.fixture
def store(database_url: str):
    opened = Store(database_url)
    for month, rows in (("2019-01", 2), ("2019-02", 3), ("2019-03", 4), ("2019-04", 5)):
        import_export(
            opened, _export("SAMRE", month, rows), f"samre_{month}.csv", actor=system_user("lokal")
        )
    # February replaced: the replaced snapshot goes too.
    import_export(
        opened,
        _export("SAMRE", "2019-02", 6),
        "samre_2019-02.csv",
        replace=True,
        actor=system_user("lokal"),
    )
    import_export(
        opened, _export("SAMS", "2019-01", 7), "sams_2019-01.csv", actor=system_user("lokal")
    )
    manual = Goal(id="avtal", project="SAMRE", title="Avtal", period="Delmål", kind="manual")
    create_goal(opened, manual, system_user("anna"))
    create_goal(
        opened,
        Goal(id="s", project="SAMS", title="S", period="D", kind="manual"),
        system_user("anna"),
    )
    goal_history(opened)  # stores a status for every month with a snapshot
    yield opened
    opened.close()


def _months(store: Store, project: str) -> list[str]:
    return sorted(r.report_month for r in store.history() if r.project == project)


def test_purge_removes_exactly_the_months_before_the_date(store: Store) -> None:
    kept_cases = store.load_snapshots("SAMRE").filter(
        store.load_snapshots("SAMRE")["report_month"] >= "2019-03"
    )
    plan = store.purge_plan("SAMRE", date(2019, 3, 15))
    assert plan.months == ("2019-01", "2019-02")
    assert plan.case_rows == 2 + 3 + 6
    assert plan.goal_statuses == 2

    done = store.purge("SAMRE", date(2019, 3, 15), purged_by="anna")

    assert done == plan
    assert _months(store, "SAMRE") == ["2019-03", "2019-04"]
    assert _months(store, "SAMS") == ["2019-01"]
    after = store.load_snapshots("SAMRE")
    assert after.sort("case_id").equals(kept_cases.sort("case_id"))
    statuses = {(r["goal_id"], r["report_month"]) for r in GoalStore(store.engine).statuses()}
    assert statuses == {("avtal", "2019-03"), ("avtal", "2019-04"), ("s", "2019-01")}
    for import_id in done.import_ids:
        with pytest.raises(ImportNotFound):
            store.load_import(import_id)
    with store.engine.connect() as connection:
        left = connection.execute(
            sa.select(sa.func.count()).where(cases.c.import_id.in_(done.import_ids))
        ).scalar_one()
    assert left == 0
    entry = store.audit_entries()[0]
    assert (entry["actor"], entry["action"], entry["target"]) == ("anna", "purge", "project SAMRE")
    assert entry["detail"]["case_rows"] == 11 and entry["detail"]["months"] == list(plan.months)


def test_purge_on_the_first_of_a_month_keeps_that_month_and_a_second_purge_is_empty(
    store: Store,
) -> None:
    store.purge("SAMRE", date(2019, 4, 1), purged_by="anna")
    assert _months(store, "SAMRE") == ["2019-04"]
    again = store.purge("SAMRE", date(2019, 4, 1), purged_by="anna")
    assert again.is_empty and "inget" in again.describe()


def test_cli_purge_needs_yes_and_prints_what_went(
    store: Store, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", store.url)
    monkeypatch.delenv("LAGESBILD_CLI_ROLES", raising=False)
    assert cli.main(["purge", "--project", "SAMRE", "--before", "2019-03-01"]) == 1
    assert "--yes" in capsys.readouterr().out
    assert len(_months(store, "SAMRE")) == 5

    assert cli.main(["purge", "--project", "SAMRE", "--before", "2019-03-01", "--yes"]) == 0
    out = capsys.readouterr().out
    assert "Gallrat: SAMRE: 3 ögonblicksbilder (2019-01–2019-02) med 11 ärenderader" in out
    assert _months(store, "SAMRE") == ["2019-03", "2019-04"]


def _raw_bytes(database: Path) -> bytes:
    """The database as it lies on disk: the file and its WAL and shared-memory files."""
    return b"".join(
        path.read_bytes()
        for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm"))
        if path.exists()
    )


def test_purged_ids_cannot_be_read_from_the_sqlite_file(tmp_path: Path) -> None:
    database = tmp_path / "lagesbild.db"
    opened = Store(f"sqlite:///{database}")
    try:
        for month, prefix in (("2019-01", "GALLRAD"), ("2019-02", "GALLRAD"), ("2019-04", "KVAR")):
            body = "".join(
                f"{prefix}{month[-2:]}{i:05d};SAMRE;Sigtuna;K;2018-01-01\n" for i in range(1500)
            )
            import_export(
                opened, (HEADER + body).encode(), f"samre_{month}.csv", actor=system_user("lokal")
            )
        assert _raw_bytes(database).count(b"GALLRAD") >= 3000

        opened.purge("SAMRE", date(2019, 3, 1), purged_by="anna")

        # Still readable while the store is open (another user may keep the app running).
        raw = _raw_bytes(database)
    finally:
        opened.close()
    assert b"GALLRAD" not in raw
    assert raw.count(b"KVAR") >= 1500
    assert b"GALLRAD" not in _raw_bytes(database)
