"""The meeting pack's cost section: the figures it gathers, and the PDF read back."""

from __future__ import annotations

import io
from collections.abc import Iterator

import polars as pl
import pytest
from pypdf import PdfReader

from access.roles import system_user
from budgets.model import Budget
from budgets.service import cost_figures_for, remove_budget, save_budget
from demo.load import load_demo_set
from metrics.costs import SELF_SUFFICIENT_NOTE
from reports.content import build_report, small_counts
from reports.html import render_html
from store import Store
from store.importer import import_export

HEADER = "deltagare_id;insats;kommun;kon;startdatum;slutdatum;bistand_slut;forsorjning_slut\n"


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    store = Store(f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}")
    load_demo_set(store)
    yield store
    store.close()


@pytest.fixture
def small_store(sqlite_url: str) -> Iterator[Store]:
    """SAMRE in 2019: 20 participants, 8 ended, 2 of them self-sufficient."""
    rows = [f"S{i};SAMRE;Sollentuna;K;2019-02-01;2019-09-30;inget;lon" for i in range(2)]
    rows += [
        f"C{i};SAMRE;Sollentuna;M;2019-02-01;2019-10-31;helt;ekonomiskt_bistand" for i in range(6)
    ]
    rows += [f"O{i};SAMRE;Sigtuna;K;2018-06-01;;;" for i in range(12)]
    store = Store(sqlite_url)
    data = (HEADER + "\n".join(rows) + "\n").encode()
    assert import_export(store, data, "samre_2019-12.csv", actor=system_user("a")).status == (
        "imported"
    )
    save_budget(store, Budget("SAMRE", 2019, 600_000, 500_000), system_user("a"))
    yield store
    store.close()


def _rows(content) -> dict[str, tuple[str, str]]:
    assert content.costs is not None and content.costs.table is not None
    return {row[0]: (row[1], row[2]) for row in content.costs.table.rows}


def test_the_section_shows_the_year_of_the_report_month(demo_store: Store) -> None:
    content = build_report(demo_store, "Brobygget", "2019-12")
    costs = content.costs
    assert costs is not None and costs.recorded and costs.year == 2019
    rows = _rows(content)
    assert rows["Budget"][0] == "3 400 000 kr" and rows["Utfall"][0] == "3 520 000 kr"
    assert rows["Kostnaden räknas på"][0] == "Utfall"
    expected = cost_figures_for(demo_store, 2019, as_of="2019-12").filter(
        pl.col("project") == "Brobygget"
    )
    per_participant = expected.filter(pl.col("metric") == "cost_per_participant").row(0, named=True)
    n = per_participant["denominator"]
    assert rows["Kostnad per deltagare"] == (
        f"{round(3_520_000 / n):,} kr".replace(",", " "),
        f"per deltagare (n = {n})",
    )
    assert small_counts(content.tables()) == []
    assert {m.id for m in costs.definitions} == {
        "cost_per_participant",
        "cost_per_ended",
        "cost_per_self_sufficient",
    }


def test_a_year_without_a_budget_says_so(demo_store: Store) -> None:
    content = build_report(demo_store, "Brobygget", "2018-03")
    assert content.costs is not None and content.costs.year == 2018
    assert content.costs.recorded  # 2018 has a budget in the demo
    # Counted as of March: the year is not over in the data, and the pack says so.
    assert any("2018-03" in note for note in content.costs.notes)
    html = render_html(build_report(demo_store, "Vägval", "2019-06"))
    assert "Inget utfall är registrerat ännu, så kostnaderna räknas på budgeten." in html


def test_a_small_self_sufficient_count_is_hidden_in_the_pack(small_store: Store) -> None:
    content = build_report(small_store, "SAMRE")
    rows = _rows(content)
    assert rows["Kostnad per deltagare"] == ("25 000 kr", "per deltagare (n = 20)")
    assert rows["Kostnad per avslutad deltagare"] == ("62 500 kr", "per avslutad (n = 8)")
    assert rows["Kostnad per självförsörjande"] == ("<5", "per självförsörjande (n = <5)")
    assert small_counts(content.tables()) == []
    html = render_html(content)
    assert "250 000" not in html and SELF_SUFFICIENT_NOTE in html


def test_no_entry_for_the_year_gives_a_sentence_not_a_table(small_store: Store) -> None:
    remove_budget(small_store, "SAMRE", 2019, system_user("a"))
    save_budget(small_store, Budget("SAMRE", 2018, 400_000), system_user("a"))
    content = build_report(small_store, "SAMRE")
    assert content.costs is not None and not content.costs.recorded
    assert content.costs.table is None and content.costs.definitions == ()
    sentence = "Ingen budget och inget utfall är registrerat för SAMRE år 2019."
    assert content.costs.lead.startswith(sentence)
    assert sentence in render_html(content)


def _pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


@pytest.mark.slow
def test_the_pdf_has_the_cost_section(small_store: Store) -> None:
    from reports.pdf import render_pdf

    flat = _pdf_text(render_pdf(build_report(small_store, "SAMRE")))
    assert "6. Budget och kostnad per deltagare" in flat
    assert "Budget 600 000 kr" in flat and "Utfall 500 000 kr" in flat
    assert "Kostnad per deltagare 25 000 kr per deltagare (n = 20)" in flat
    assert "Kostnad per avslutad deltagare 62 500 kr per avslutad (n = 8)" in flat
    assert "Kostnad per självförsörjande <5 per självförsörjande (n = <5)" in flat
    assert " ".join(SELF_SUFFICIENT_NOTE.split()) in flat
    assert "250 000" not in flat
    assert "7. Datakvalitet" in flat
