"""When the database says no: a read-only file, a lock held by another writer, a full disk.

Each case runs ``cli.py`` as a real process against a real SQLite file and checks that the
user gets one Swedish sentence (no traceback), exit 1, and that nothing was half-written.

The tests run as root, and root ignores file modes. So "read-only" is made two honest
ways: the CLI runs without the capabilities that let root bypass file modes
(``setpriv --bounding-set=-dac_override,-dac_read_search``) on a ``chmod 444`` file, and
the database's directory is bind-mounted read-only in a private mount namespace
(``unshare -m``), where the kernel refuses every write (EROFS). A full disk is a 1 MB
tmpfs mounted in such a namespace.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.cli_processes import REPO, cli_env, export_file, run_cli

pytestmark = pytest.mark.slow

TRACEBACK = "Traceback"


def _namespaces_work() -> str | None:
    if shutil.which("unshare") is None:
        return "unshare saknas"
    probe = subprocess.run(
        ["unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt"],
        capture_output=True,
        text=True,
    )
    return None if probe.returncode == 0 else f"unshare -m/mount fungerar inte: {probe.stderr}"


def _capabilities_can_be_dropped() -> str | None:
    if shutil.which("setpriv") is None:
        return "setpriv saknas"
    probe = subprocess.run(
        ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "true"],
        capture_output=True,
    )
    return None if probe.returncode == 0 else "setpriv kan inte släppa förmågor här"


def _in_namespace(script: str, url: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run a shell script in a private mount namespace (mounts vanish with it)."""
    return subprocess.run(
        ["unshare", "-m", "sh", "-c", script],
        cwd=REPO,
        env=cli_env(url, **env),
        capture_output=True,
        text=True,
        timeout=300,
    )


def _cli(*args: str) -> str:
    quoted = " ".join(f"'{a}'" for a in args)
    return f"'{sys.executable}' '{REPO / 'cli.py'}' {quoted}"


def _integrity(path: Path) -> str:
    connection = sqlite3.connect(path)
    try:
        return connection.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        connection.close()


@pytest.fixture
def loaded(tmp_path: Path) -> tuple[str, Path, Path]:
    """A database directory with one import of Vägval 2019-03, and a second file."""
    folder = tmp_path / "db"
    folder.mkdir()
    url = f"sqlite:///{folder / 'lagesbild.db'}"
    first = export_file(tmp_path / "vagval_2019-03.csv", 3)
    second = export_file(tmp_path / "vagval_ny_2019-03.csv", 4, prefix="NY")
    assert run_cli(url, "import", str(first)).code == 0
    return url, folder, second


def test_a_read_only_directory_still_serves_every_reading_command(
    loaded: tuple[str, Path, Path],
) -> None:
    if reason := _namespaces_work():
        pytest.skip(reason)
    url, folder, second = loaded
    before = (folder / "lagesbild.db").read_bytes()
    steps = [
        ("history", ["history", "--format", "json"]),
        ("kpis", ["kpis", "--format", "json"]),
        ("audit", ["audit", "--format", "json"]),
        ("goals", ["goals", "status", "--format", "json"]),
        ("import", ["import", "--replace", str(second)]),
        ("purge", ["purge", "--project", "Vägval", "--before", "2020-01-01", "--yes"]),
    ]
    script = f"mount --bind '{folder}' '{folder}' && mount -o remount,ro,bind '{folder}'"
    out = folder.parent
    for name, args in steps:
        script += f"; {_cli(*args)} >'{out}/{name}.out' 2>'{out}/{name}.err'"
        script += f"; echo $? >'{out}/{name}.rc'"

    done = _in_namespace(script, url)

    assert done.returncode == 0, done.stderr
    result = {
        name: (
            int((out / f"{name}.rc").read_text()),
            (out / f"{name}.out").read_text(),
            (out / f"{name}.err").read_text(),
        )
        for name, _ in steps
    }
    for name in ("history", "kpis", "audit", "goals"):
        code, stdout, stderr = result[name]
        assert code == 0, (name, stderr)
        json.loads(stdout)
    (only,) = json.loads(result["history"][1])
    assert (only["project"], only["month"], only["rows"]) == ("Vägval", "2019-03", 3)
    for name in ("import", "purge"):
        code, stdout, stderr = result[name]
        assert code == 1, (name, stdout, stderr)
        assert TRACEBACK not in stderr
        assert "är skrivskyddad" in stderr and "Inget har ändrats" in stderr
    assert (folder / "lagesbild.db").read_bytes() == before


def test_a_read_only_file_refuses_writes_in_swedish_and_keeps_reading(
    loaded: tuple[str, Path, Path],
) -> None:
    if reason := _capabilities_can_be_dropped():
        pytest.skip(reason)
    url, folder, second = loaded
    database = folder / "lagesbild.db"
    database.chmod(0o444)
    unprivileged = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*unprivileged, sys.executable, str(REPO / "cli.py"), *args],
            cwd=REPO,
            env=cli_env(url),
            capture_output=True,
            text=True,
            timeout=120,
        )

    # The unprivileged process really cannot write the file.
    probe = subprocess.run(
        [*unprivileged, sys.executable, "-c", f"open({str(database)!r}, 'r+b')"],
        capture_output=True,
    )
    assert probe.returncode != 0

    imported = run("import", "--replace", str(second))
    history = run("history", "--format", "json")

    assert imported.returncode == 1, imported.stderr
    assert TRACEBACK not in imported.stderr
    assert "är skrivskyddad" in imported.stderr
    assert history.returncode == 0, history.stderr
    assert [r["rows"] for r in json.loads(history.stdout)] == [3]
    database.chmod(0o644)
    assert _integrity(database) == "ok"


def test_a_writer_holding_the_lock_makes_an_import_wait_then_refuse(
    loaded: tuple[str, Path, Path],
) -> None:
    url, folder, second = loaded
    database = folder / "lagesbild.db"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys\n"
            f"c = sqlite3.connect({str(database)!r}, isolation_level=None)\n"
            "c.execute('BEGIN EXCLUSIVE')\n"
            "print('locked', flush=True)\n"
            "sys.stdin.read()\n",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        started = time.monotonic()
        imported = run_cli(url, "import", "--replace", str(second), LAGESBILD_LOCK_TIMEOUT="2")
        waited = time.monotonic() - started
        # Readers are not held up by a writer (WAL).
        history = run_cli(url, "history", "--format", "json")
    finally:
        holder.communicate("", timeout=30)

    assert imported.code == 1, imported.err
    assert TRACEBACK not in imported.err
    assert "är upptagen av en annan skrivning" in imported.err
    assert "inom 2 sekunder" in imported.err
    assert waited >= 2
    assert history.code == 0
    assert [r["rows"] for r in json.loads(history.out)] == [3]
    # Once the lock is free the same import goes through.
    assert run_cli(url, "import", "--replace", str(second)).code == 0


def test_a_full_disk_stores_nothing_and_says_so(tmp_path: Path) -> None:
    if reason := _namespaces_work():
        pytest.skip(reason)
    folder = tmp_path / "full"
    folder.mkdir()
    url = f"sqlite:///{folder / 'lagesbild.db'}"
    small = export_file(tmp_path / "vagval_2019-02.csv", 5)
    large = export_file(tmp_path / "vagval_2019-03.csv", 40_000, prefix="STOR")
    out = tmp_path
    script = f"mount -t tmpfs -o size=1m tmpfs '{folder}'"
    for name, args in (
        ("small", ["import", str(small)]),
        ("large", ["import", str(large)]),
        ("history", ["history", "--format", "json"]),
    ):
        script += f"; {_cli(*args)} >'{out}/{name}.out' 2>'{out}/{name}.err'"
        script += f"; echo $? >'{out}/{name}.rc'"
    # The database lives only in the namespace: check it there, before the tmpfs goes.
    check = (
        "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
        "print(c.execute('PRAGMA integrity_check').fetchone()[0], "
        "c.execute('select count(*) from cases').fetchone()[0], "
        "c.execute('select count(*) from imports').fetchone()[0])"
    )
    script += f"; '{sys.executable}' -c \"{check}\" '{folder}/lagesbild.db' >'{out}/check.out'"

    done = _in_namespace(script, url)

    assert done.returncode == 0, done.stderr
    assert (out / "small.rc").read_text().strip() == "0", (out / "small.err").read_text()
    large_err = (out / "large.err").read_text()
    assert (out / "large.rc").read_text().strip() == "1", large_err
    assert TRACEBACK not in large_err
    assert "Disken för databasen" in large_err and "är full" in large_err
    assert (out / "history.rc").read_text().strip() == "0"
    assert [r["rows"] for r in json.loads((out / "history.out").read_text())] == [5]
    assert (out / "check.out").read_text().split() == ["ok", "5", "1"]
