"""``cli.py kpis --project``: the insats's figures, protected against the whole förbund."""

from __future__ import annotations

import json

import polars as pl
import pytest

import cli
from access.roles import local_user
from store import Store
from store.importer import import_export


def _export(counts: dict[str, int]) -> bytes:
    projects = [p for p, n in counts.items() for _ in range(n)]
    frame = pl.DataFrame(
        {
            "deltagare_id": [f"P{i}" for i in range(len(projects))],
            "insats": projects,
            "kommun": ["Sollentuna"] * len(projects),
            "kon": ["K"] * len(projects),
            "startdatum": ["2019-01-15"] * len(projects),
        }
    )
    return frame.write_csv(separator=";").encode()


@pytest.fixture
def database(sqlite_url: str, monkeypatch) -> str:
    store = Store(sqlite_url)
    outcome = import_export(
        store, _export({"SAMRE": 12, "Vägval": 3}), "export_2019-03.csv", actor=local_user()
    )
    assert outcome.status == "imported", outcome.message
    store.close()
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.delenv("LAGESBILD_CLI_ROLES", raising=False)
    return sqlite_url


def _participants(capsys, *argv: str) -> dict:
    assert cli.main(["kpis", *argv]) == 0
    records = json.loads(capsys.readouterr().out)
    return next(r for r in records if r["metric"] == "participants")


def test_project_figures_leaving_out_a_few_of_the_forbund_are_hidden(database, capsys):
    """SAMRE's 12 of 15: the 3 of Vägval would be the difference to the whole."""
    whole = _participants(capsys)
    assert whole["value"] == 15 and not whole["suppressed"]
    samre = _participants(capsys, "--project", "SAMRE")
    assert samre["suppressed"] and samre["hidden_reason"] == "filter"
    assert samre["value"] is None


def test_without_protection_the_project_shows_its_own_count(database, capsys):
    samre = _participants(capsys, "--project", "SAMRE", "--suppress", "0")
    assert samre["value"] == 12 and samre["hidden_reason"] is None


def test_a_combination_of_mostly_small_groups_is_withheld_with_a_sentence(
    sqlite_url: str, monkeypatch, capsys
):
    store = Store(sqlite_url)
    data = _export({"SAMRE": 12, "Vägval": 3, "Steget": 2})
    assert import_export(store, data, "export_2019-03.csv", actor=local_user()).status == "imported"
    store.close()
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.delenv("LAGESBILD_CLI_ROLES", raising=False)

    assert cli.main(["kpis", "--by", "insats", "kon"]) == 0
    out, err = capsys.readouterr()
    records = [r for r in json.loads(out) if r["metric"] != "participants_anonymous"]
    assert records and all(r["suppressed"] for r in records)
    assert "Kombinationen av uppdelningar visas inte" in err
    assert "färre än 5 deltagare" in err

    assert cli.main(["kpis", "--by", "insats"]) == 0
    out, err = capsys.readouterr()
    samre = next(
        r
        for r in json.loads(out)
        if r["metric"] == "participants" and r["group"]["insats"] == "SAMRE"
    )
    assert samre["value"] == 12
    assert err == ""


def test_a_period_gives_its_own_counts_and_says_which_period(database, capsys):
    argv = ["kpis", "--period", "2019H1", "--metric", "period_participants", "period_new"]
    assert cli.main([*argv, "--suppress", "0"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert [(r["metric"], r["value"], r["period"]) for r in records] == [
        ("period_participants", 15, "2019H1"),
        ("period_new", 15, "2019H1"),
    ]
    # Everyone started in 2019: nobody took part during 2018.
    assert cli.main(["kpis", "--period", "2018", "--suppress", "0"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert next(r for r in records if r["metric"] == "period_participants")["value"] == 0


def test_a_period_metric_without_a_period_is_refused_in_swedish(database, capsys):
    assert cli.main(["kpis", "--metric", "period_new"]) == 2
    assert "ange --period" in capsys.readouterr().err
    with pytest.raises(SystemExit) as stop:
        cli.main(["kpis", "--period", "2019H3"])
    assert stop.value.code == 2
    assert "Okänd period '2019H3'" in capsys.readouterr().err
