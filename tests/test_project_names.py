"""A new insats name close to a known one waits for a yes: library, store, command line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from access.roles import system_user
from ingest.project_names import close_known_name
from store import Store
from store.importer import import_export

REPO = Path(__file__).resolve().parent.parent
HEADER = "deltagare_id;insats;kommun;kon;startdatum\n"
KNOWN = ["Brobygget", "SAMRE", "Vägval"]


def export(project: str, case_id: str = "A1") -> bytes:
    return f"{HEADER}{case_id};{project};Sollentuna;K;2019-01-10\n".encode()


@pytest.mark.parametrize("typed", ["VÃ¤gval", "Vagval", "Vägvall", "VÄGVAL", "vägval ", "Vägva"])
def test_a_slip_of_a_known_name_is_recognised(typed: str) -> None:
    assert close_known_name(typed.strip(), KNOWN) == "Vägval"


@pytest.mark.parametrize("typed", ["Vägval", "Kaosam", "Rehabsteget", "Nya vägar", "SAM-X"])
def test_known_and_clearly_new_names_are_not_questioned(typed: str) -> None:
    assert close_known_name(typed, KNOWN) is None


@pytest.fixture
def store(database_url: str):
    opened = Store(database_url)
    yield opened
    opened.close()


def test_a_close_new_name_waits_for_confirmation_and_stores_nothing(store: Store) -> None:
    assert (
        import_export(store, export("Vägval"), "v_2019-02.csv", actor=system_user("lokal")).status
        == "imported"
    )
    before = store.history()

    waiting = import_export(store, export("Vägvall"), "v_2019-03.csv", actor=system_user("anna"))

    assert waiting.status == "needs_new_project"
    assert "menade du Vägval?" in waiting.message and "Vägvall" in waiting.message
    assert store.history() == before
    assert store.known_projects() == ["Vägval"]

    confirmed = import_export(
        store, export("Vägvall"), "v_2019-03.csv", new_project=True, actor=system_user("lokal")
    )

    assert confirmed.status == "imported"
    assert store.known_projects() == ["Vägval", "Vägvall"]
    # Once stored, the name is known and goes in without a question.
    again = import_export(
        store, export("Vägvall", "A2"), "v_2019-04.csv", actor=system_user("lokal")
    )
    assert again.status == "imported"


def test_a_name_close_to_a_replaced_import_is_questioned_too(store: Store) -> None:
    import_export(store, export("Vägval"), "v_2019-02.csv", actor=system_user("lokal"))
    import_export(
        store, export("Vägval", "A2"), "v2_2019-02.csv", replace=True, actor=system_user("lokal")
    )
    assert {r.status for r in store.history()} == {"current", "replaced"}
    assert (
        import_export(store, export("Vagval"), "v_2019-03.csv", actor=system_user("lokal")).status
        == "needs_new_project"
    )


def test_a_new_name_not_close_to_any_known_one_goes_in_as_before(store: Store) -> None:
    import_export(store, export("Vägval"), "v_2019-02.csv", actor=system_user("lokal"))
    assert (
        import_export(
            store, export("Brobygget"), "b_2019-03.csv", actor=system_user("lokal")
        ).status
        == "imported"
    )
    assert store.known_projects() == ["Brobygget", "Vägval"]


def _cli(args: list[str], url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": url}
    env.pop("LAGESBILD_CLI_ROLES", None)
    return subprocess.run(
        [sys.executable, str(REPO / "cli.py"), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=120,
        check=False,
    )


def test_cli_refuses_a_close_name_until_ny_insats_confirms_it(
    sqlite_url: str, tmp_path: Path
) -> None:
    known = tmp_path / "vagval_2019-02.csv"
    known.write_bytes(export("Vägval"))
    slip = tmp_path / "vagval_2019-03.csv"
    slip.write_bytes(export("Vagval"))
    assert _cli(["import", str(known)], sqlite_url).returncode == 0

    refused = _cli(["import", str(slip)], sqlite_url)

    assert refused.returncode == 1
    assert "menade du Vägval?" in refused.stdout and "--ny-insats" in refused.stdout
    assert Store(sqlite_url).known_projects() == ["Vägval"]

    confirmed = _cli(["import", str(slip), "--ny-insats"], sqlite_url)

    assert confirmed.returncode == 0, confirmed.stdout + confirmed.stderr
    assert "Importerad: Vagval 2019-03" in confirmed.stdout
    assert Store(sqlite_url).known_projects() == ["Vagval", "Vägval"]
