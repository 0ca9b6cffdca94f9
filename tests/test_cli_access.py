"""The command line as a user runs it (real processes): every command checks its role,
nobody can write another name into the log, and CSV output holds no live formula."""

from __future__ import annotations

import csv
import io
import json
import os
import pwd
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from access.roles import local_user
from store import Store
from store.importer import import_export

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = ['=HYPERLINK("https://evil.example","klicka")', "+cmd", "-2+3", "@SUM(A1)"]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _export(projects: list[str], district: str = "Norr") -> bytes:
    rows = 6 * len(projects)
    frame = pl.DataFrame(
        {
            "deltagare_id": [f"P{i}" for i in range(rows)],
            "insats": [projects[i % len(projects)] for i in range(rows)],
            "kommun": ["Sollentuna"] * rows,
            "stadsdel": [district] * rows,
            "kon": ["K", "M"] * (rows // 2),
            "startdatum": ["2019-01-15"] * rows,
        }
    )
    return frame.write_csv(separator=";").encode()


@pytest.fixture
def database(sqlite_url: str) -> str:
    store = Store(sqlite_url)
    outcome = import_export(
        store, _export(HOSTILE, district="=1+1"), "export_2019-03.csv", actor=local_user()
    )
    assert outcome.status == "imported", outcome.message
    store.close()
    return sqlite_url


def run_cli(
    database: str, *argv: str, roles: str | None = None, **env: str
) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("LAGESBILD_CLI_")}
    environ |= {"DATABASE_URL": database, **env}
    if roles is not None:
        environ["LAGESBILD_CLI_ROLES"] = roles
    return subprocess.run(
        [sys.executable, str(ROOT / "cli.py"), *argv],
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )


def test_kpis_csv_neutralises_formulas_and_json_stays_exact(database: str) -> None:
    argv = ("kpis", "--by", "insats", "stadsdel", "--suppress", "5")
    as_csv = run_cli(database, *argv, "--format", "csv")
    assert as_csv.returncode == 0, as_csv.stderr
    rows = list(csv.reader(io.StringIO(as_csv.stdout)))
    assert rows[0][:2] == ["insats", "stadsdel"]
    cells = [cell for row in rows[1:] for cell in row[:3]]
    assert not [c for c in cells if c.startswith(FORMULA_STARTS)]
    assert {row[0] for row in rows[1:]} == {"'" + name for name in HOSTILE}
    assert {row[1] for row in rows[1:]} == {"'=1+1"}

    as_json = run_cli(database, *argv, "--format", "json")
    assert as_json.returncode == 0, as_json.stderr
    groups = {(r["group"]["insats"], r["group"]["stadsdel"]) for r in json.loads(as_json.stdout)}
    assert groups == {(name, "=1+1") for name in HOSTILE}


@pytest.mark.parametrize("start", ["\t", "\r", "=", "+", "-", "@"])
def test_kpi_csv_neutralises_every_formula_start(start: str) -> None:
    from metrics.catalogue import compute_metrics
    from metrics.kpis import kpi_csv
    from tests.metrics_factory import cases, repeat

    frame = compute_metrics(cases(repeat(6, project=f"{start}cmd")), ["participants"], ["project"])
    rows = list(csv.reader(io.StringIO(kpi_csv(frame, ["project"]), newline="")))
    assert rows[1][0] == f"'{start}cmd"


#: Every command, and the least role that may run it (README's role table).
COMMANDS: list[tuple[tuple[str, ...], str]] = [
    (("history",), "viewer"),
    (("kpis",), "viewer"),
    (("kpis", "--list"), "viewer"),
    (("goals", "status", "--format", "json"), "viewer"),
    (("goals", "export"), "viewer"),
    (("report", "--project", "+cmd", "--out", "{tmp}/underlag.html"), "uploader"),
    (("restore", "1"), "uploader"),
    (("audit",), "admin"),
    (("purge", "--project", "+cmd", "--before", "2000-01-01"), "admin"),
    (("demo",), "admin"),
]
LOWER = {"viewer": None, "uploader": "viewer", "admin": "uploader"}


@pytest.mark.parametrize(("argv", "least"), COMMANDS, ids=[" ".join(c[0][:2]) for c in COMMANDS])
def test_every_command_needs_its_role(database: str, tmp_path: Path, argv, least) -> None:
    argv = tuple(a.replace("{tmp}", str(tmp_path)) for a in argv)
    below = LOWER[least] or ""
    refused = run_cli(database, *argv, roles=below)
    assert refused.returncode == 1, (refused.stdout, refused.stderr)
    assert "behörighet" in refused.stderr
    assert "+cmd" not in refused.stdout and "participants" not in refused.stdout
    entries = Store(database).audit_entries()
    assert entries[0]["action"] == "refused"
    assert entries[0]["detail"]["roles"] == ([below] if below else [])


def test_a_reader_reads_and_no_role_reads_nothing(database: str) -> None:
    for argv in (("history",), ("goals", "status")):
        assert run_cli(database, *argv, roles="viewer").returncode == 0, argv
        result = run_cli(database, *argv, roles="okänd")
        assert result.returncode == 1 and result.stdout == "", argv


def test_actor_option_is_gone_and_the_log_names_the_os_account(database: str) -> None:
    forged = run_cli(database, "--actor", "styrelsens.ordforande", "history")
    assert forged.returncode == 2
    account = pwd.getpwuid(os.getuid()).pw_name
    named = run_cli(
        database, "audit", roles="viewer", LAGESBILD_CLI_USER="mallory", USER="x", LOGNAME="x"
    )
    assert named.returncode == 1, named.stderr
    entry = Store(database).audit_entries()[0]
    assert entry["actor"] == f"mallory (körd av {account})"
