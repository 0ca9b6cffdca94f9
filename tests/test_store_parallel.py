"""Parallel imports of one project and month, as real processes on both databases.

The second of two imports of the same file is a no-op; two different files for one month
are stored one after the other; a restore during a replace waits for it. Nobody gets a
traceback and no request is lost.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa

from store.store import _lock_keys
from tests.cli_processes import REPO, export_file, finish, run_cli, start_cli

pytestmark = pytest.mark.slow

TRACEBACK = "Traceback"


def _history(url: str) -> list[dict]:
    done = run_cli(url, "history", "--format", "json")
    assert done.code == 0, done.err
    return json.loads(done.out)


def test_the_same_file_imported_three_times_at_once_is_stored_once(
    database_url: str, tmp_path: Path
) -> None:
    old = export_file(tmp_path / "vagval_2019-03.csv", 10, prefix="GAMMAL")
    assert run_cli(database_url, "import", str(old)).code == 0
    new = export_file(tmp_path / "vagval_rattad_2019-03.csv", 30_000)

    runs = [
        finish(process)
        for process in [start_cli(database_url, "import", "--replace", str(new)) for _ in range(3)]
    ]

    for run in runs:
        assert run.code == 0, run.err
        assert TRACEBACK not in run.err
    assert sum("Importerad" in run.out for run in runs) == 1
    assert sum("redan importerad" in run.out for run in runs) == 2
    history = _history(database_url)
    assert sorted((r["rows"], r["status"]) for r in history) == [
        (10, "replaced"),
        (30_000, "current"),
    ]


_OPEN_AND_WRITE = """
import sys
import sqlalchemy as sa
from store.database import open_engine

print("ready", flush=True)
sys.stdin.readline()  # all start together
engine, url = open_engine(sys.argv[1])
with engine.begin() as connection:
    connection.execute(sa.text("CREATE TABLE IF NOT EXISTS probe (x INTEGER)"))
print(dict(url.query))
"""


def test_processes_opening_one_new_sqlite_file_at_once_all_get_it_writable(
    tmp_path: Path,
) -> None:
    # Each opener waits for the one creating the tables, then finds them made: none of
    # them takes the other's lock for a read-only file, none creates a table twice.
    for round_ in range(5):
        url = f"sqlite:///{tmp_path / f'ny_{round_}.db'}"
        openers = [
            subprocess.Popen(
                [sys.executable, "-c", _OPEN_AND_WRITE, url],
                cwd=REPO,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(4)
        ]
        for opener in openers:
            assert opener.stdout is not None
            assert opener.stdout.readline() == "ready\n"
        for opener in openers:
            assert opener.stdin is not None
            opener.stdin.write("go\n")
            opener.stdin.flush()
        for opener in openers:
            # Their output is one line, so waiting before reading cannot fill a pipe.
            code = opener.wait(timeout=120)
            assert opener.stdout is not None and opener.stderr is not None
            out, err = opener.stdout.read(), opener.stderr.read()
            assert code == 0, err
            assert out.strip() == "{}", out


def test_two_different_files_for_one_month_at_once_are_stored_one_after_the_other(
    database_url: str, tmp_path: Path
) -> None:
    first = export_file(tmp_path / "vagval_a_2019-03.csv", 20_000, prefix="A")
    second = export_file(tmp_path / "vagval_b_2019-03.csv", 20_001, prefix="B")

    started = [start_cli(database_url, "import", str(f)) for f in (first, second)]
    plain = [finish(process) for process in started]

    # One is stored, the other is told the month exists and to confirm with --replace.
    assert sorted(run.code for run in plain) == [0, 1], [run.err for run in plain]
    for run in plain:
        assert TRACEBACK not in run.err
    loser = next(run for run in plain if run.code == 1)
    assert "Det finns redan en ögonblicksbild för Vägval 2019-03" in loser.out
    assert len(_history(database_url)) == 1

    third = export_file(tmp_path / "vagval_c_2019-03.csv", 20_002, prefix="C")
    fourth = export_file(tmp_path / "vagval_d_2019-03.csv", 20_003, prefix="D")
    replacing = [
        finish(p)
        for p in [start_cli(database_url, "import", "--replace", str(f)) for f in (third, fourth)]
    ]

    for run in replacing:
        assert run.code == 0, run.err
    history = _history(database_url)
    assert len(history) == 3
    assert [r["status"] for r in history].count("current") == 1


def test_a_restore_during_a_replace_waits_for_it(database_url: str, tmp_path: Path) -> None:
    old = export_file(tmp_path / "vagval_2019-03.csv", 10, prefix="GAMMAL")
    middle = export_file(tmp_path / "vagval_mitten_2019-03.csv", 11, prefix="MITT")
    assert run_cli(database_url, "import", str(old)).code == 0
    assert run_cli(database_url, "import", "--replace", str(middle)).code == 0
    (old_id,) = [r["id"] for r in _history(database_url) if r["rows"] == 10]
    new = export_file(tmp_path / "vagval_ny_2019-03.csv", 40_000, prefix="NY")

    replace = start_cli(database_url, "import", "--replace", str(new))
    time.sleep(2.5)  # the replace is reading the file or storing it by now
    restored = run_cli(database_url, "restore", str(old_id))
    replaced = finish(replace)

    for run in (restored, replaced):
        assert run.code == 0, run.err
        assert TRACEBACK not in run.err
    history = _history(database_url)
    assert len(history) == 3
    assert [r["status"] for r in history].count("current") == 1


@pytest.mark.postgres
def test_an_import_waiting_past_the_limit_names_the_import_it_waits_for(
    postgres_url: str, tmp_path: Path
) -> None:
    engine = sa.create_engine(postgres_url)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA public CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()
    file = export_file(tmp_path / "vagval_2019-03.csv", 5)
    libpq = sa.make_url(postgres_url).set(drivername="postgresql").render_as_string(False)
    with psycopg.connect(libpq) as holder:
        # Another import of Vägval 2019-03 holds its lock.
        (key,) = _lock_keys(["Vägval"], "2019-03")
        holder.execute("SELECT pg_advisory_xact_lock(%s)", (key,))
        started = time.monotonic()
        waiting = run_cli(postgres_url, "import", str(file), LAGESBILD_LOCK_TIMEOUT="2")
        waited = time.monotonic() - started
        holder.rollback()

    assert waiting.code == 1, waiting.err
    assert TRACEBACK not in waiting.err
    assert "En annan import av Vägval 2019-03 pågår" in waiting.err
    assert waited >= 2
    assert _history(postgres_url) == []
    assert run_cli(postgres_url, "import", str(file)).code == 0
