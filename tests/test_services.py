"""Who may do what, in one place: the Action enum, the system user, the import services,
the Streamlit-free command line, and the demo set as an explicit step."""

from __future__ import annotations

import ast
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from access.audit import read_audit
from access.roles import (
    ACTIONS,
    ROLES,
    AccessDenied,
    Action,
    User,
    can,
    require,
    system_user,
)
from demo.load import DatabaseNotEmpty, demo_enabled, load_demo_on_request, prepare_demo
from imports.service import import_history, purge, purge_plan, restore_import
from store import Store
from store.importer import import_export

ROOT = Path(__file__).resolve().parent.parent
HEADER = "deltagare_id;insats;kommun;kon;startdatum\n"
MARCH = (HEADER + "A1;SAMRE;Sollentuna;K;2018-03-01\n").encode()
MARCH_AGAIN = (
    HEADER + "A1;SAMRE;Sollentuna;K;2018-03-01\nA2;SAMRE;Sigtuna;M;2018-04-01\n"
).encode()
APRIL = (HEADER + "A1;SAMRE;Sollentuna;K;2018-03-01\nA3;SAMRE;Sigtuna;X;2019-04-01\n").encode()

ADMIN = User(name="Anna", email="anna@forbund.se", roles=frozenset({"admin"}), mode="signin")
UPLOADER = User(name="Per", email="per@forbund.se", roles=frozenset({"uploader"}), mode="signin")
VIEWER = User(name="Lena", email="lena@kommun.se", roles=frozenset({"viewer"}), mode="signin")
NOBODY = User(name="ny@forbund.se", email="ny@forbund.se", mode="signin")


@pytest.fixture
def store(sqlite_url: str):
    opened = Store(sqlite_url)
    yield opened
    opened.close()


@pytest.fixture
def replaced(store: Store) -> int:
    """March imported and replaced, April imported: returns the replaced import's id."""
    setup = system_user("förberedelse")
    first = import_export(store, MARCH, "samre_2019-03.csv", actor=setup).imports[0]
    import_export(store, MARCH_AGAIN, "samre_2019-03.csv", replace=True, actor=setup)
    import_export(store, APRIL, "samre_2019-04.csv", actor=setup)
    return first.id


def _statuses(store: Store) -> list[tuple[int, str]]:
    return [(r.id, r.status) for r in store.history()]


def _refusal(store: Store) -> dict:
    entry = store.audit_entries()[0]
    assert entry["action"] == "refused"
    return entry


# -- the Action enum -----------------------------------------------------------------


def test_every_action_has_its_words_and_roles() -> None:
    assert set(ACTIONS) == set(Action)
    for words, roles in ACTIONS.values():
        assert words and roles and roles <= set(ROLES)


@pytest.mark.parametrize("action", ["import", "purge", "view_audit"])
def test_a_string_action_is_refused_even_when_it_names_a_real_one(action: str) -> None:
    with pytest.raises(TypeError, match="Action"):
        can(ADMIN, action)  # type: ignore[arg-type]

    logged: list[tuple] = []

    class Log:
        def audit(self, *args: object) -> None:
            logged.append(args)

    with pytest.raises(TypeError, match="Action"):
        require(ADMIN, action, Log())  # type: ignore[arg-type]
    assert logged == []


def test_a_plain_name_is_not_a_user(store: Store) -> None:
    with pytest.raises(TypeError, match="User"):
        can("lokal", Action.IMPORT)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="User"):
        import_export(store, MARCH, "samre_2019-03.csv", actor="lokal")  # type: ignore[arg-type]
    assert store.history() == []


def _source_files() -> list[Path]:
    skip = {"tests", "node_modules", ".git", ".venv"}
    return [p for p in ROOT.rglob("*.py") if not skip & set(p.relative_to(ROOT).parts)]


def test_no_call_in_the_code_names_an_action_by_string() -> None:
    checked = {"can", "require", "allowed_roles", "refusal_message"}
    found = []
    for path in _source_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or len(node.args) < 2:
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", None))
            action = node.args[1]
            if name in checked and isinstance(action, ast.Constant):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == []


# -- the system user -----------------------------------------------------------------


def test_the_system_user_is_explicit_named_and_typed() -> None:
    demo = system_user("demo")
    assert (demo.actor, demo.mode, demo.roles) == ("demo", "system", frozenset(ROLES))
    assert all(can(demo, action) for action in Action)
    reader = system_user("rapportjobb", roles=["viewer"])
    assert reader.roles == {"viewer"} and reader.mode == "system"
    assert can(reader, Action.VIEW) and not can(reader, Action.IMPORT)


def test_no_function_turns_a_name_into_a_user_with_every_role() -> None:
    import access
    import access.roles

    assert not hasattr(access.roles, "as_user") and not hasattr(access, "as_user")


# -- the import services: refused and logged, or done and logged --------------------


def test_restore_refused_for_a_viewer_changes_nothing_and_is_logged(
    store: Store, replaced: int
) -> None:
    before = _statuses(store)
    with pytest.raises(AccessDenied, match="behörighet"):
        restore_import(store, VIEWER, replaced)
    assert _statuses(store) == before
    entry = _refusal(store)
    assert (entry["actor"], entry["target"]) == ("lena@kommun.se", f"import {replaced}")
    assert entry["detail"]["action"] == "restore"


def test_restore_by_an_uploader_is_done_and_logged_with_who(store: Store, replaced: int) -> None:
    record = restore_import(store, UPLOADER, replaced)
    assert record.status == "current"
    entry = store.audit_entries()[0]
    assert (entry["actor"], entry["action"], entry["target"]) == (
        "per@forbund.se",
        "restore",
        f"import {replaced}",
    )


@pytest.mark.parametrize("user", [UPLOADER, VIEWER])
def test_purge_and_its_plan_are_for_administrators_only(
    store: Store, replaced: int, user: User
) -> None:
    before = _statuses(store)
    with pytest.raises(AccessDenied):
        purge_plan(store, user, "SAMRE", date(2019, 4, 1))
    with pytest.raises(AccessDenied):
        purge(store, user, "SAMRE", date(2019, 4, 1))
    assert _statuses(store) == before
    refusals = [e for e in store.audit_entries() if e["action"] == "refused"]
    assert [e["detail"]["action"] for e in refusals] == ["purge", "purge"]
    assert {e["actor"] for e in refusals} == {user.actor}


def test_purge_by_an_administrator_is_done_and_logged(store: Store, replaced: int) -> None:
    plan = purge_plan(store, ADMIN, "SAMRE", date(2019, 4, 1))
    done = purge(store, ADMIN, "SAMRE", date(2019, 4, 1))
    assert done.describe() == plan.describe() and not done.is_empty
    assert {r.report_month for r in store.history()} == {"2019-04"}
    entry = store.audit_entries()[0]
    assert (entry["actor"], entry["action"], entry["target"]) == (
        "anna@forbund.se",
        "purge",
        "project SAMRE",
    )


def test_history_needs_a_role_and_the_log_needs_an_administrator(
    store: Store, replaced: int
) -> None:
    assert [r.status for r in import_history(store, VIEWER)] == ["current", "current", "replaced"]
    with pytest.raises(AccessDenied):
        import_history(store, NOBODY)
    assert _refusal(store)["detail"]["action"] == "view"

    with pytest.raises(AccessDenied):
        read_audit(store, UPLOADER, target="logg")
    refusal = _refusal(store)
    assert (refusal["actor"], refusal["target"]) == ("per@forbund.se", "logg")
    entries = read_audit(store, ADMIN)
    assert entries[0]["action"] == "refused" and len(entries) == len(store.audit_entries())


# -- the demo set: an explicit step with a setting ----------------------------------


@pytest.mark.parametrize(
    ("value", "enabled"),
    [(None, True), ("1", True), ("", True), ("0", False), ("nej", False), (" False ", False)],
)
def test_the_demo_setting_is_on_unless_turned_off(value: str | None, enabled: bool) -> None:
    environ = {} if value is None else {"LAGESBILD_DEMO": value}
    assert demo_enabled(environ) is enabled


def test_opening_the_store_loads_nothing_and_the_setting_off_keeps_it_empty(
    store: Store,
) -> None:
    assert store.is_empty()
    assert prepare_demo(store, {"LAGESBILD_DEMO": "0"}) is False
    assert store.is_empty() and store.audit_entries() == []


def test_loading_the_demo_on_request_needs_an_administrator_and_an_empty_database(
    store: Store,
) -> None:
    with pytest.raises(AccessDenied):
        load_demo_on_request(store, UPLOADER)
    assert store.is_empty()
    assert _refusal(store)["detail"]["action"] == "load_demo"

    import_export(store, MARCH, "samre_2019-03.csv", actor=system_user("lokal"))
    with pytest.raises(DatabaseNotEmpty, match="Inget har ändrats"):
        load_demo_on_request(store, ADMIN)
    assert len(store.history()) == 1 and not store.has_demo_data()


# -- the command line loads no Streamlit ----------------------------------------------

_NO_STREAMLIT = """
import sys
import access, access.audit, commands.access, access.identity, access.roles
import cli
import imports.service
assert "streamlit" not in sys.modules, "importing the command line loaded Streamlit"
for argv in ({commands}):
    code = cli.main(argv)
    print("exit", argv[0], code, flush=True)
    assert "streamlit" not in sys.modules, f"cli.py {{argv[0]}} loaded Streamlit"
"""


@pytest.mark.slow
def test_the_command_line_loads_no_streamlit_and_demo_fills_an_empty_database(
    tmp_path: Path, sqlite_url: str
) -> None:
    export = tmp_path / "samre_2019-03.csv"
    export.write_bytes(MARCH)
    commands = [
        ["demo"],
        ["history", "--format", "json"],
        ["restore", "1"],
        ["audit"],
        ["purge", "--project", "SAMRE", "--before", "2000-01-01"],
        ["goals", "status", "--format", "json"],
        ["import", str(export)],
        ["demo"],
    ]
    done = subprocess.run(
        [sys.executable, "-c", _NO_STREAMLIT.format(commands=repr(commands)[1:-1] + ",")],
        cwd=ROOT,
        env={**_environ(), "DATABASE_URL": sqlite_url},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    codes = [line.split()[1:] for line in done.stdout.splitlines() if line.startswith("exit ")]
    assert codes[0] == ["demo", "0"] and codes[-1] == ["demo", "1"]
    assert "Demodatat är inläst" in done.stdout
    assert "Databasen har redan data" in done.stderr and "Inget har ändrats" in done.stderr
    store = Store(sqlite_url)
    assert store.has_demo_data()
    assert [e["action"] for e in store.audit_entries() if e["action"] == "demo_load"] == [
        "demo_load"
    ]
    store.close()


def _environ() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith("LAGESBILD_")}
