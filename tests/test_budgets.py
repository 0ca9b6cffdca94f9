"""Budgets and outcomes: the TOML file, the checks, the audit trail, the role, the CLI."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

import cli
from access.audit import read_audit
from access.roles import AccessDenied, Role, User, local_user, system_user
from budgets.model import Budget
from budgets.service import (
    budget_changes,
    export_budgets,
    import_budgets,
    list_budgets,
    remove_budget,
    save_budget,
)
from budgets.toml_io import BudgetDefinitionError, parse_budgets
from store import Store
from store.importer import import_export

TODAY = date(2020, 3, 1)
ADMIN = User(name="Anna", email="anna@forbund.se", roles=frozenset({"admin"}))

FILE = """
[[budget]]
project = "SAMRE"
year = 2018
budget_sek = 3_400_000
outcome_sek = 3_150_000

[[budget]]
project = "SAMRE"
year = 2019
budget_sek = 3_500_000

[[budget]]
project = "Vägval"
year = 2019
outcome_sek = 0
"""


@pytest.fixture
def store(database_url: str):
    opened = Store(database_url)
    yield opened
    opened.close()


def _file(tmp_path: Path, text: str, name: str = "budget.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _budget_audit(store: Store) -> list[dict]:
    return [e for e in store.audit_entries() if e["action"].startswith("budget_")]


def test_import_export_import_gives_the_same_rows(store: Store, tmp_path: Path) -> None:
    counts = import_budgets(store, _file(tmp_path, FILE), ADMIN)
    assert counts == {"created": 3, "updated": 0, "unchanged": 0}
    first = list_budgets(store)
    assert first == [
        Budget("SAMRE", 2018, 3_400_000, 3_150_000),
        Budget("SAMRE", 2019, 3_500_000, None),
        Budget("Vägval", 2019, None, 0),
    ]
    exported = export_budgets(store)
    assert "[[budget]]" in exported and "budget_sek = 3_400_000" in exported
    assert parse_budgets(exported) == first
    again = import_budgets(store, _file(tmp_path, exported, "export.toml"), ADMIN)
    assert again == {"created": 0, "updated": 0, "unchanged": 3}
    assert list_budgets(store) == first
    assert export_budgets(store, "Vägval").count("\n[[budget]]\n") == 1


def test_a_file_with_one_bad_entry_changes_nothing(store: Store, tmp_path: Path) -> None:
    import_budgets(store, _file(tmp_path, FILE), ADMIN)
    before, audit_before = list_budgets(store), _budget_audit(store)
    bad = FILE.replace("outcome_sek = 3_150_000", "outcome_sek = 3_000_000") + (
        '\n[[budget]]\nproject = "Kaosam"\nyear = 2019\nbudget_sek = -5\n'
    )
    with pytest.raises(BudgetDefinitionError) as refused:
        import_budgets(store, _file(tmp_path, bad, "fel.toml"), ADMIN)
    assert refused.value.messages == [
        "Post 4 (insats 'Kaosam', år 2019): budget_sek = -5 är negativt: ett belopp är 0 kr "
        "eller mer."
    ]
    # The good entry whose outcome changed was not stored either: all or nothing.
    assert list_budgets(store) == before
    assert _budget_audit(store) == audit_before


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        (
            'project = "A"\nyear = 2019\nbudget_sek = "500 000 kr"',
            "budget_sek = '500 000 kr' är inget tal",
        ),
        ('project = "A"\nyear = 2019\nbudget_sek = 1000.5', "budget_sek = 1000.5 har ören"),
        ('project = "A"\nyear = 2019\noutcome_sek = true', "outcome_sek = True är inget tal"),
        (
            'project = "A"\nyear = 1899\nbudget_sek = 1',
            "year = 1899 är inget rimligt år (ange ett år 2000–2025)",
        ),
        ('project = "A"\nyear = "2019"\nbudget_sek = 1', "year = '2019' ska vara ett år"),
        (
            'project = "A"\nyear = 2021\noutcome_sek = 1',
            "utfallet kan inte vara känt för ett år som inte har börjat",
        ),
        ('project = "A"\nyear = 2019', "ange budget_sek eller outcome_sek"),
        ("year = 2019\nbudget_sek = 1", "Post 1 (år 2019): saknar project"),
        ('project = "A"\nyear = 2019\nbudget = 1', "okända nycklar: budget"),
        ('project = "A\\nB"\nyear = 2019\nbudget_sek = 1', "styrtecken"),
    ],
)
def test_each_bad_field_is_named_in_swedish(entry: str, expected: str) -> None:
    with pytest.raises(BudgetDefinitionError) as refused:
        parse_budgets(f"[[budget]]\n{entry}\n", today=TODAY)
    assert expected in refused.value.messages[0]
    assert refused.value.messages[0].startswith("Post 1 (")


def test_the_same_insats_and_year_twice_and_broken_toml_are_refused() -> None:
    twice = '[[budget]]\nproject = "A"\nyear = 2019\nbudget_sek = 1\n' * 2
    with pytest.raises(BudgetDefinitionError, match=r"Post 2 .*samma insats och år"):
        parse_budgets(twice, today=TODAY)
    with pytest.raises(BudgetDefinitionError, match="ingen giltig TOML"):
        parse_budgets("[[budget]\nproject = ", today=TODAY)
    with pytest.raises(BudgetDefinitionError, match="inga poster"):
        parse_budgets("", today=TODAY)


def test_every_change_is_audited_with_who_project_year_field_old_and_new(store: Store) -> None:
    save_budget(store, Budget("SAMRE", 2019, 3_500_000), ADMIN)
    saved, changed = save_budget(store, Budget("SAMRE", 2019, 3_500_000, 3_620_000), ADMIN)
    assert changed and saved.outcome_sek == 3_620_000
    assert save_budget(store, saved, ADMIN) == (saved, False)  # no change, nothing logged
    newest, created = budget_changes(store, "SAMRE", 2019)[0], budget_changes(store)[-1]
    assert (newest["actor"], newest["field"], newest["old"], newest["new"]) == (
        "anna@forbund.se",
        "outcome_sek",
        None,
        "3620000",
    )
    assert (created["field"], created["new"]) == ("budget_sek", "3500000")
    entries = _budget_audit(store)
    assert [e["action"] for e in entries] == ["budget_edit", "budget_create"]
    assert entries[0]["actor"] == "anna@forbund.se"
    assert entries[0]["target"] == "budget SAMRE 2019"
    assert entries[0]["detail"] == {
        "project": "SAMRE",
        "year": 2019,
        "changes": [["outcome_sek", None, "3620000"]],
    }
    # Budget changes are in the log the Logg page reads.
    assert {e["action"] for e in read_audit(store, ADMIN)} >= {"budget_create", "budget_edit"}

    removed = remove_budget(store, "SAMRE", 2019, ADMIN)
    assert removed == saved and list_budgets(store) == []
    assert _budget_audit(store)[0]["action"] == "budget_remove"
    assert {(c["field"], c["old"], c["new"]) for c in budget_changes(store)[:2]} == {
        ("budget_sek", "3500000", None),
        ("outcome_sek", "3620000", None),
    }


@pytest.mark.parametrize("role", ["uploader", "viewer"])
def test_only_administrators_change_budgets(store: Store, tmp_path: Path, role: Role) -> None:
    user = User(name=role, email=f"{role}@forbund.se", roles=frozenset({role}))
    with pytest.raises(AccessDenied, match="ändra budget och utfall"):
        import_budgets(store, _file(tmp_path, FILE), user)
    with pytest.raises(AccessDenied):
        save_budget(store, Budget("SAMRE", 2019, 1), user)
    assert list_budgets(store) == []
    refusals = [e for e in store.audit_entries() if e["action"] == "refused"]
    assert len(refusals) == 2
    assert {e["detail"]["action"] for e in refusals} == {"budget_edit"}


def test_an_entry_for_an_insats_without_data_is_kept_but_flagged(
    store: Store, tmp_path: Path
) -> None:
    header = "deltagare_id;insats;kommun;kon;startdatum\n"
    data = (header + "A1;SAMRE;Sollentuna;K;2019-03-01\n").encode()
    assert import_export(store, data, "samre_2019-03.csv", actor=local_user()).status == "imported"
    import_budgets(store, _file(tmp_path, FILE), ADMIN)
    exported = export_budgets(store)
    assert "# Obs: det finns ingen inläst export för insatsen Vägval." in exported
    assert "insatsen SAMRE" not in exported
    assert parse_budgets(exported) == list_budgets(store)


def test_migrated_budget_tables_match_their_definitions(database_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from store.budget_store import metadata

    tables = set(metadata.tables)
    store = Store(database_url)

    def ours(name: str | None, kind: str, parent: dict) -> bool:
        if kind == "schema":
            return True
        return (name if kind == "table" else parent.get("table_name")) in tables

    try:
        with store.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"include_name": ours})
            assert compare_metadata(context, metadata) == []
    finally:
        store.close()


# -- command line ---------------------------------------------------------------------


@pytest.fixture
def cli_database(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.delenv("LAGESBILD_CLI_ROLES", raising=False)
    return sqlite_url


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = cli.main(list(argv))
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_budget_import_and_export(cli_database: str, tmp_path: Path, capsys) -> None:
    path = _file(tmp_path, FILE)
    code, out, _ = _run(capsys, "budget", "import", str(path))
    assert code == 0 and "3 nya, 0 ändrade, 0 oförändrade" in out
    assert "ingen inläst export för insatsen SAMRE" in out  # nothing is imported yet
    code, out, _ = _run(capsys, "budget", "export", "--project", "SAMRE")
    assert code == 0 and out.count("\n[[budget]]\n") == 2 and "Vägval" not in out
    target = tmp_path / "ut.toml"
    assert _run(capsys, "budget", "export", "--out", str(target))[0] == 0
    assert parse_budgets(target.read_text(encoding="utf-8")) == list_budgets(Store(cli_database))

    bad = _file(
        tmp_path, '[[budget]]\nproject = "X"\nyear = 2019\nbudget_sek = "mycket"\n', "x.toml"
    )
    code, _, err = _run(capsys, "budget", "import", str(bad))
    assert code == 1 and "inget har ändrats" in err and "Post 1 (insats 'X', år 2019)" in err
    assert _run(capsys, "budget", "import", str(tmp_path / "saknas.toml"))[0] == 2
    assert _run(capsys, "budget", "export", "--project", "Ingen")[0] == 1


def test_cli_budget_import_needs_an_administrator(
    cli_database: str, tmp_path: Path, monkeypatch, capsys
) -> None:
    monkeypatch.setenv("LAGESBILD_CLI_ROLES", "uploader")
    code, _, err = _run(capsys, "budget", "import", str(_file(tmp_path, FILE)))
    assert code == 1 and "behörighet" in err
    assert list_budgets(Store(cli_database)) == []


def _samre_export(ended: int, ongoing: int) -> bytes:
    header = "deltagare_id;insats;kommun;kon;startdatum;slutdatum;bistand_slut;forsorjning_slut\n"
    rows = [
        f"E{i};SAMRE;Sollentuna;K;2019-02-01;2019-10-01;helt;ekonomiskt_bistand"
        for i in range(ended)
    ]
    rows += [f"O{i};SAMRE;Sollentuna;K;2019-02-01;;;" for i in range(ongoing)]
    return (header + "\n".join(rows) + "\n").encode()


def test_cli_kpis_prints_cost_records_for_a_year(cli_database: str, tmp_path: Path, capsys) -> None:
    store = Store(cli_database)
    import_export(store, _samre_export(8, 12), "samre_2019-12.csv", actor=system_user("anna"))
    import_budgets(store, _file(tmp_path, FILE), ADMIN)
    code, out, _ = _run(
        capsys, "kpis", "--metric", "cost_per_participant", "cost_per_ended", "--period", "2019"
    )
    assert code == 0
    records = {r["metric"]: r for r in json.loads(out) if r["group"] == {"insats": "SAMRE"}}
    participant = records["cost_per_participant"]
    # No outcome for 2019: the budget, 3 500 000 kr, over 20 participants and 8 ended.
    assert participant["value"] == 175_000 and participant["denominator"] == 20
    assert participant["cost_source"] == "budget" and participant["numerator"] == 3_500_000
    assert records["cost_per_ended"]["value"] == 437_500
    vagval = [r for r in json.loads(out) if r["group"] == {"insats": "Vägval"}]
    assert vagval and not vagval[0]["has_data"] and vagval[0]["value"] is None

    code, out, _ = _run(
        capsys, "kpis", "--metric", "cost_per_ended", "--period", "2019", "--format", "csv"
    )
    assert code == 0 and out.splitlines()[1].startswith("SAMRE,2019,cost_per_ended,437500.0,")
    assert _run(capsys, "kpis", "--metric", "cost_per_ended", "--period", "2019H1")[0] == 2
    assert _run(capsys, "kpis", "--metric", "cost_per_ended")[0] == 2
    assert (
        _run(capsys, "kpis", "--metric", "cost_per_ended", "participants", "--period", "2019")[0]
        == 2
    )
    assert _run(capsys, "kpis", "--metric", "cost_per_ended", "--period", "2017")[0] == 1
    code, out, _ = _run(capsys, "kpis", "--list")
    assert "cost_per_self_sufficient\tKostnad per självförsörjande" in out
