"""Underlag till årsrapport och Uppföljning Finsam: per insats and kön, hidden like any count."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import polars as pl
import pytest

import cli
from access.roles import local_user
from metrics.annual import annual_figures
from metrics.period import Period
from metrics.selection import Selection
from presentation.annual import annual_table
from store import Store
from store.importer import import_export
from tests.metrics_factory import cases, repeat


def _snapshots() -> pl.DataFrame:
    rows = [
        *repeat(12, gender="K", start_date=date(2019, 3, 1)),
        *repeat(9, gender="M", start_date=date(2018, 3, 1), end_date=date(2019, 5, 1)),
        *repeat(8, gender="M", start_date=date(2019, 4, 1)),
        # Ended before 2019: in no column.
        *repeat(30, gender="K", start_date=date(2017, 3, 1), end_date=date(2018, 5, 1)),
    ]
    return cases(rows, report_month="2019-12")


def test_the_annual_table_counts_each_insats_by_kon_as_a_hand_count():
    selection = Selection.of(period=Period.year(2019))
    table = annual_table(annual_figures(_snapshots(), selection, threshold=0))
    row = table.row(0, named=True)
    assert row["Insats"] == "SAMRE"
    assert row["Deltagare under perioden, kvinnor"] == "12"
    assert row["Deltagare under perioden, män"] == "17"
    assert row["Deltagare under perioden, totalt"] == "29"
    assert row["Nya under perioden, män"] == "8"
    assert row["Nya under perioden, totalt"] == "20"
    assert row["Avslutade under perioden, män"] == "9"
    assert row["Avslutade under perioden, kvinnor"] == "0"


def test_small_counts_in_the_annual_table_are_hidden_and_cannot_be_subtracted():
    snapshots = pl.concat(
        [
            _snapshots(),
            cases(repeat(2, gender="X", start_date=date(2019, 6, 1)), report_month="2019-12"),
        ]
    )
    table = annual_table(annual_figures(snapshots, Selection.of(period=Period.year(2019))))
    row = table.row(0, named=True)
    assert row["Deltagare under perioden, annat eller okänt kön"] == "<5"
    # The total is shown, so one more cell of the row must be hidden as well.
    shown = [row[f"Deltagare under perioden, {w}"] for w in ("kvinnor", "män", "totalt")]
    assert any(v in ("<5", "dold") for v in shown)


def test_the_annual_table_needs_a_period():
    with pytest.raises(ValueError, match="period"):
        annual_figures(_snapshots(), Selection())


def test_the_command_writes_the_table_as_xlsx(sqlite_url, monkeypatch, tmp_path, capsys):
    store = Store(sqlite_url)
    export = pl.DataFrame(
        {
            "deltagare_id": [f"P{i}" for i in range(14)],
            "insats": ["SAMRE"] * 14,
            "kommun": ["Sollentuna"] * 14,
            "kon": ["K"] * 7 + ["M"] * 7,
            "startdatum": ["2019-01-15"] * 14,
        }
    ).write_csv(separator=";")
    outcome = import_export(store, export.encode(), "export_2019-03.csv", actor=local_user())
    assert outcome.status == "imported", outcome.message
    store.close()
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.delenv("LAGESBILD_CLI_ROLES", raising=False)
    out = tmp_path / "underlag.xlsx"
    assert cli.main(["annual", "--period", "2019H1", "--out", str(out)]) == 0
    sheet = pl.read_excel(BytesIO(out.read_bytes()))
    assert sheet["Insats"].to_list() == ["SAMRE"]
    assert str(sheet["Deltagare under perioden, kvinnor"][0]) == "7"
    assert str(sheet["Nya under perioden, totalt"][0]) == "14"
    assert cli.main(["annual", "--period", "2019", "--out", str(tmp_path / "x.pdf")]) == 2
    assert ".csv eller .xlsx" in capsys.readouterr().err
