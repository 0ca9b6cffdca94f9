"""Roles enforced where each action runs: every role against every action, refusals logged."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

import cli
from access.audit import read_audit
from access.identity import cli_user, user_from_claims
from access.roles import (
    ROLES,
    AccessDenied,
    Action,
    Role,
    User,
    local_user,
    require,
    require_suppression,
    roles_from_mapping,
)
from budgets.model import Budget
from budgets.service import save_budget
from goals.model import Goal
from goals.service import create_goal, list_goals
from imports.service import purge, restore_import
from store import Store
from store.importer import import_export

HEADER = "deltagare_id;insats;kommun;kon;startdatum\n"
MARCH = (HEADER + "A1;SAMRE;Sollentuna;K;2018-03-01\n").encode()
MARCH_AGAIN = (
    HEADER + "A1;SAMRE;Sollentuna;K;2018-03-01\nA2;SAMRE;Sigtuna;M;2018-04-01\n"
).encode()
APRIL = (HEADER + "A1;SAMRE;Sollentuna;K;2018-03-01\nA3;SAMRE;Sigtuna;X;2019-04-01\n").encode()
GOAL = Goal(id="avtal", project="SAMRE", title="Avtal", period="Delmål", kind="manual")

#: The specification, written out: which roles may take which action.
EXPECTED: dict[str, set[str]] = {
    "import": {"admin", "uploader"},
    "replace": {"admin", "uploader"},
    "restore": {"admin", "uploader"},
    "report_export": {"admin", "uploader"},
    "goal_edit": {"admin"},
    "budget_edit": {"admin"},
    "suppression_off": {"admin"},
    "purge": {"admin"},
    "view_audit": {"admin"},
}


@pytest.fixture
def store(sqlite_url: str):
    opened = Store(sqlite_url)
    yield opened
    opened.close()


def _prepared(store: Store) -> dict[str, int]:
    """March imported and then replaced (so there is an import to restore), April too."""
    admin = local_user("förberedelse")
    first = import_export(store, MARCH, "samre_2019-03.csv", actor=admin).imports[0]
    import_export(store, MARCH_AGAIN, "samre_2019-03.csv", replace=True, actor=admin)
    import_export(store, APRIL, "samre_2019-04.csv", actor=admin)
    return {"replaced": first.id}


def _calls(store: Store, ids: dict[str, int]) -> dict[str, Callable[[User], object]]:
    """Each action through the function the pages and the command line call."""
    may_replace = (HEADER + "A9;SAMRE;Sigtuna;K;2018-05-01\n").encode()
    return {
        "import": lambda u: import_export(
            store, (HEADER + "B1;SAMRE;Sigtuna;K;2018-05-01\n").encode(), "s_2019-05.csv", actor=u
        ),
        "replace": lambda u: import_export(
            store, may_replace, "samre_2019-04.csv", replace=True, actor=u
        ),
        "restore": lambda u: restore_import(store, u, ids["replaced"]),
        "report_export": lambda u: require(u, Action.REPORT_EXPORT, store, "mötesunderlag"),
        "goal_edit": lambda u: create_goal(store, GOAL, u),
        "budget_edit": lambda u: save_budget(store, Budget("SAMRE", 2019, 3_500_000), u),
        "suppression_off": lambda u: require_suppression(u, 0, 5, store, "kpis"),
        "purge": lambda u: purge(store, u, "SAMRE", date(2019, 4, 1)),
        "view_audit": lambda u: read_audit(store, u),
    }


@pytest.mark.parametrize("action", sorted(EXPECTED))
@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(store: Store, role: Role, action: str) -> None:
    ids = _prepared(store)
    user = User(name=f"{role}@forbund.se", email=f"{role}@forbund.se", roles=frozenset({role}))
    history_before = [(r.id, r.status) for r in store.history()]
    call = _calls(store, ids)[action]

    if role in EXPECTED[action]:
        call(user)
        assert not [e for e in store.audit_entries() if e["action"] == "refused"]
    else:
        with pytest.raises(AccessDenied) as refusal:
            call(user)
        assert "behörighet" in str(refusal.value)
        assert [(r.id, r.status) for r in store.history()] == history_before
        assert list_goals(store) == []
        entry = store.audit_entries()[0]
        assert (entry["actor"], entry["action"]) == (user.actor, "refused")
        assert entry["detail"]["action"] == action


def test_allowed_actions_are_logged_with_who_did_them(store: Store) -> None:
    ids = _prepared(store)
    admin = User(name="Anna", email="anna@forbund.se", roles=frozenset({"admin"}))
    for action in ("import", "replace", "restore", "goal_edit", "purge"):
        _calls(store, ids)[action](admin)
    mine = {e["action"] for e in store.audit_entries() if e["actor"] == "anna@forbund.se"}
    assert {"import", "replace", "restore", "goal_create", "purge"} <= mine


def test_a_user_without_roles_may_do_nothing(store: Store) -> None:
    nobody = User(name="ny@forbund.se", email="ny@forbund.se", mode="signin")
    with pytest.raises(AccessDenied):
        import_export(store, MARCH, "samre_2019-03.csv", actor=nobody)
    assert store.history() == []
    assert store.audit_entries()[0]["action"] == "refused"


def test_forged_restore_by_a_viewer_is_refused_and_logged(store: Store) -> None:
    ids = _prepared(store)
    viewer = User(name="Styrelseledamot", email="ledamot@kommun.se", roles=frozenset({"viewer"}))
    with pytest.raises(AccessDenied):
        restore_import(store, viewer, ids["replaced"])
    entry = store.audit_entries()[0]
    assert entry["action"] == "refused" and entry["target"] == f"import {ids['replaced']}"
    assert store.history()[-1].status == "replaced"


def test_roles_come_from_email_or_group_without_regard_to_case() -> None:
    mapping = {
        "admin": ["Anna@Forbund.se"],
        "uploader": ["grupp-projektledare"],
        "viewer": "grupp-styrelse",
        "kung": ["anna@forbund.se"],
    }
    assert roles_from_mapping(mapping, "anna@forbund.se") == {"admin"}
    assert roles_from_mapping(mapping, "x@y.se", ["grupp-projektledare", "grupp-styrelse"]) == {
        "uploader",
        "viewer",
    }
    assert roles_from_mapping(mapping, "okand@y.se", ["annan"]) == frozenset()
    claims = {"is_logged_in": True, "email": "anna@forbund.se", "name": "Anna"}
    user = user_from_claims(claims, mapping)
    assert (user.actor, user.roles, user.mode) == ("anna@forbund.se", {"admin"}, "signin")


def test_cli_user_has_every_role_unless_the_environment_lists_fewer() -> None:
    assert cli_user({"LAGESBILD_CLI_USER": "drift"}).roles == set(ROLES)
    limited = cli_user({"LAGESBILD_CLI_USER": "drift", "LAGESBILD_CLI_ROLES": "viewer, okänd"})
    assert limited.name.startswith("drift (körd av ") and limited.roles == {"viewer"}
    assert cli_user({"LAGESBILD_CLI_ROLES": ""}).roles == frozenset()


def test_cli_refuses_suppression_off_and_audit_for_a_viewer(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    store = Store(sqlite_url)
    _prepared(store)
    monkeypatch.setenv("LAGESBILD_CLI_USER", "ledamot")
    monkeypatch.setenv("LAGESBILD_CLI_ROLES", "viewer")

    assert cli.main(["kpis", "--suppress", "0"]) == 1
    assert "skyddet för små tal" in capsys.readouterr().err
    assert cli.main(["kpis"]) == 0  # the protected figures are for everyone
    capsys.readouterr()
    assert cli.main(["audit"]) == 1
    assert cli.main(["purge", "--project", "SAMRE", "--before", "2019-04-01", "--yes"]) == 1
    refused = [e for e in store.audit_entries() if e["action"] == "refused"]
    assert {e["detail"]["action"] for e in refused} == {"suppression_off", "view_audit", "purge"}
    assert all(e["actor"].startswith("ledamot (körd av ") for e in refused)
    assert len(store.history()) == 3


def test_cli_audit_lists_entries_since_a_day(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.delenv("LAGESBILD_CLI_ROLES", raising=False)
    _prepared(Store(sqlite_url))

    assert cli.main(["audit", "--since", date.today().isoformat()]) == 0
    out = capsys.readouterr().out
    assert "Ersättning" in out and "Import" in out and "förberedelse" in out
    assert cli.main(["audit", "--since", "2999-01-01"]) == 0
    assert "inga poster" in capsys.readouterr().out
    with pytest.raises(SystemExit) as usage:
        cli.main(["audit", "--since", "igår"])
    assert usage.value.code == 2


def test_a_group_called_like_an_admins_address_gives_no_role() -> None:
    mapping = {"admin": ["Anna@Forbund.se"], "uploader": ["grupp-projektledare"]}
    attacker = {"email": "mallory@forbund.se", "groups": ["anna@forbund.se", "Anna@Forbund.se"]}
    assert user_from_claims(attacker, mapping).roles == frozenset()
    # Nor does an e-mail claim equal to a group id give that group's role.
    assert roles_from_mapping(mapping, "grupp-projektledare", []) == frozenset()
    assert roles_from_mapping(mapping, "ANNA@forbund.se", []) == {"admin"}
    assert roles_from_mapping(mapping, None, ["grupp-projektledare"]) == {"uploader"}
