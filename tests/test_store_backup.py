"""``cli.py backup`` and ``restore-backup``: a consistent copy while an import runs, a
checksum that is checked, a confirmation, the audit log, and admin only."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from pathlib import Path

import pytest

from access.roles import User
from store import Store
from store.backup import take_backup
from tests.cli_processes import export_file, finish, run_cli, start_cli

pytestmark = pytest.mark.slow


def _json(url: str, *args: str) -> list[dict]:
    done = run_cli(url, *args, "--format", "json")
    assert done.code == 0, done.err
    return json.loads(done.out)


def _writer_active(database: Path) -> bool:
    """True while another connection holds the write lock (an import is storing)."""
    probe = sqlite3.connect(database, timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError as exc:
        assert "locked" in str(exc)
        return True
    finally:
        probe.close()


def _case_count(database: Path) -> int:
    connection = sqlite3.connect(database)
    try:
        return connection.execute("SELECT count(*) FROM cases").fetchone()[0]
    finally:
        connection.close()


def test_a_backup_taken_during_an_import_restores_the_state_before_it(tmp_path: Path) -> None:
    database = tmp_path / "lagesbild.db"
    url = f"sqlite:///{database}"
    assert run_cli(url, "import", str(export_file(tmp_path / "vagval_2019-02.csv", 50))).code == 0
    before = _json(url, "history")
    large = export_file(tmp_path / "vagval_2019-03.csv", 120_000, prefix="STOR")
    out = tmp_path / "kopia.db"

    store = Store(url)
    try:
        importing = start_cli(url, "import", str(large))
        deadline = time.monotonic() + 240
        while not _writer_active(database):
            assert importing.poll() is None, finish(importing).err
            assert time.monotonic() < deadline
            time.sleep(0.01)
        # The import is storing its rows now: the copy is taken in the middle of it.
        backup = take_backup(store, out, User("anna", frozenset({"admin"})))
    finally:
        store.close()
    imported = finish(importing)

    assert imported.code == 0, imported.err
    assert len(_json(url, "history")) == 2
    checksum = (tmp_path / "kopia.db.sha256").read_text().split()
    assert checksum == [hashlib.sha256(out.read_bytes()).hexdigest(), "kopia.db"]
    # The import committed only at its end, after the copy began: the copy holds the
    # database as it was, whole, without any of the import's rows.
    assert (backup.imports, backup.case_rows) == (1, 50)

    refused = run_cli(url, "restore-backup", str(out))  # no terminal and no --yes
    assert refused.code == 1 and "--yes" in refused.out
    assert len(_json(url, "history")) == 2

    restored = run_cli(url, "restore-backup", str(out), "--yes")

    assert restored.code == 0, restored.err
    assert _json(url, "history") == before
    assert _case_count(database) == 50
    entry = _json(url, "audit")[0]
    assert (entry["action"], entry["target"]) == ("restore_backup", "kopia.db")
    assert entry["detail"]["sha256"] == backup.sha256
    safety = tmp_path / entry["detail"]["previous_saved_as"]
    assert _case_count(safety) == 120_050
    connection = sqlite3.connect(database)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        connection.close()


def test_the_command_line_backup_prints_its_checksum_and_is_admin_only(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'lagesbild.db'}"
    assert run_cli(url, "import", str(export_file(tmp_path / "vagval_2019-02.csv", 5))).code == 0
    out = tmp_path / "kopia.db"

    denied = run_cli(url, "backup", "--out", str(out), LAGESBILD_CLI_ROLES="uploader")
    made = run_cli(url, "backup", "--out", str(out))
    again = run_cli(url, "backup", "--out", str(out))

    assert denied.code == 1 and "administratör" in denied.err
    assert made.code == 0, made.err
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    assert f"SHA-256: {digest}" in made.out
    assert again.code == 1 and "finns redan" in again.err
    actions = [e["action"] for e in _json(url, "audit")]
    assert actions[:2] == ["backup", "refused"]
    denied_restore = run_cli(url, "restore-backup", str(out), "--yes", LAGESBILD_CLI_ROLES="viewer")
    assert denied_restore.code == 1 and "administratör" in denied_restore.err


def test_a_changed_backup_is_refused_and_nothing_changes(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'lagesbild.db'}"
    assert run_cli(url, "import", str(export_file(tmp_path / "vagval_2019-02.csv", 5))).code == 0
    out = tmp_path / "kopia.db"
    assert run_cli(url, "backup", "--out", str(out)).code == 0
    assert run_cli(url, "import", str(export_file(tmp_path / "vagval_2019-03.csv", 7))).code == 0
    history = _json(url, "history")
    data = bytearray(out.read_bytes())
    data[-100] ^= 0xFF
    out.write_bytes(bytes(data))

    done = run_cli(url, "restore-backup", str(out), "--yes")

    assert done.code == 1
    assert "stämmer inte med sin kontrollsumma" in done.err
    assert "Traceback" not in done.err
    assert _json(url, "history") == history


@pytest.mark.postgres
def test_postgresql_is_pointed_to_pg_dump(postgres_url: str, tmp_path: Path) -> None:
    done = run_cli(postgres_url, "backup", "--out", str(tmp_path / "kopia.db"))

    assert done.code == 2
    assert "pg_dump" in done.err and "pg_restore" in done.err
    assert not (tmp_path / "kopia.db").exists()
