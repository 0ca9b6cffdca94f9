"""The Ekonomi page and the budget form on the Mål page, run with AppTest on small data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from access.roles import system_user
from budgets.model import Budget
from budgets.service import budget_changes, list_budgets, save_budget
from metrics.costs import SELF_SUFFICIENT_NOTE
from store import Store
from store.importer import import_export

REPO = Path(__file__).resolve().parents[1]
APP = str(REPO / "app.py")
ADMIN = system_user("anna")

HEADER = "deltagare_id;insats;kommun;kon;startdatum;slutdatum;bistand_slut;forsorjning_slut\n"


def _export() -> bytes:
    """SAMRE in 2019: 20 participants, 8 ended (2 self-sufficient), 12 still going."""
    rows = [f"S{i};SAMRE;Sollentuna;K;2019-02-01;2019-09-30;inget;lon" for i in range(2)]
    rows += [
        f"C{i};SAMRE;Sollentuna;M;2019-02-01;2019-10-31;helt;ekonomiskt_bistand" for i in range(6)
    ]
    rows += [f"O{i};SAMRE;Sigtuna;K;2018-06-01;;;" for i in range(12)]
    return (HEADER + "\n".join(rows) + "\n").encode()


@pytest.fixture
def database(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    store = Store(sqlite_url)
    outcome = import_export(store, _export(), "samre_2019-12.csv", actor=ADMIN)
    assert outcome.status == "imported", outcome.message
    store.close()
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.setenv("LAGESBILD_DEMO", "0")
    st.cache_resource.clear()
    st.cache_data.clear()
    return sqlite_url


def _economy(database: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception
    return at.switch_page("views/ekonomi.py").run()


def _text(at: AppTest) -> str:
    """The page's Markdown as it reads (``\\<5`` is "<5" escaped for Markdown)."""
    return "\n".join(m.value for m in at.markdown).replace("\\<", "<")


def test_the_page_shows_each_cost_with_its_n_and_hides_a_small_one(database: str) -> None:
    store = Store(database)
    save_budget(store, Budget("SAMRE", 2019, 600_000, 500_000), ADMIN)
    save_budget(store, Budget("Nystart", 2019, 100_000), ADMIN)
    at = _economy(database)
    assert not at.exception, at.exception
    metrics: dict[str, list[str]] = {}
    for m in at.metric:
        metrics.setdefault(m.label, []).append(m.value)
    # SAMRE first (Nystart has no data and shows no costs): 500 000 kr over 20 and 8.
    assert metrics["Kostnad per deltagare"] == ["25 000 kr"]
    assert metrics["Kostnad per avslutad"] == ["62 500 kr"]
    assert metrics["Kostnad per självförsörjande"] == ["<5"]  # 2 self-sufficient
    assert metrics["Kostnaden räknas på"] == ["Budget", "Utfall"]
    assert metrics["Utfall"] == ["–", "500 000 kr"]
    text = _text(at)
    assert "per deltagare (n = 20)" in text and "per avslutad (n = 8)" in text
    assert "per självförsörjande (n = <5)" in text
    assert SELF_SUFFICIENT_NOTE in text
    assert "250 000" not in text  # the hidden cost appears nowhere
    assert any("En kostnad döljs när antalet" in c.value for c in at.caption)
    assert any("ingen inläst export för Nystart" in w.value for w in at.warning)
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    bars = {trace["name"]: (trace["x"], trace["customdata"]) for trace in spec["data"]}
    # Drawn in millions, with the kronor for the hover; insatser in reverse order (the
    # first one alphabetically is drawn on top).
    assert bars["Budget"] == ([0.6, 0.1], [600_000, 100_000])
    assert bars["Utfall"] == ([0.5, None], [500_000, None])
    table = at.dataframe[-1].value
    samre = table[table["Insats"] == "SAMRE"].iloc[0]
    assert samre["Kostnad per deltagare"] == "25 000 kr (n = 20)"
    assert samre["Kostnad per självförsörjande"] == "<5 (n = <5)"
    assert samre["Kostnaden är"] == "Utfall"


def test_without_budgets_the_page_says_how_to_record_one(database: str) -> None:
    at = _economy(database)
    assert not at.exception
    assert any("Ingen budget är registrerad ännu" in i.value for i in at.info)
    assert any("cli.py budget import" in i.value for i in at.info)
    assert not at.metric


def test_budget_changes_are_on_the_logg_page(database: str) -> None:
    store = Store(database)
    save_budget(store, Budget("SAMRE", 2019, 600_000), ADMIN)
    save_budget(store, Budget("SAMRE", 2019, 600_000, 550_000), ADMIN)
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page("views/logg.py").run()
    assert not at.exception
    log = at.dataframe[0].value
    budget = log[log["Gäller"] == "budget SAMRE 2019"]
    assert budget["Åtgärd"].tolist() == ["Ändrad budget eller utfall", "Ny budgetpost"]
    assert budget["Vem"].tolist() == ["anna", "anna"]
    assert '["outcome_sek", null, "550000"]' in budget.iloc[0]["Detaljer"]
    assert '"year": 2019' in budget.iloc[0]["Detaljer"]


# -- the admin form on the Mål page ----------------------------------------------------


@pytest.fixture
def goals_page(tmp_path: Path, database: str) -> AppTest:
    script = tmp_path / "mal_page.py"
    script.write_text(
        "import os, runpy, sys\n"
        "import streamlit as st\n"
        f"os.environ['DATABASE_URL'] = {database!r}\n"
        f"sys.path.insert(0, {str(REPO)!r})\n"
        "st.cache_resource.clear()\n"
        f"runpy.run_path({str(REPO / 'views' / 'mal.py')!r}, run_name='__main__')\n",
        encoding="utf-8",
    )
    return AppTest.from_file(str(script), default_timeout=60)


def _submit(at: AppTest) -> AppTest:
    button = next(b for b in at.button if b.label == "Spara budget och utfall")
    button.click()
    return at.run()


def test_an_administrator_records_a_budget_and_sees_it_and_its_log(
    goals_page: AppTest, database: str
) -> None:
    at = goals_page.run()
    assert not at.exception
    at.text_input(key="budget_new_project").set_value("SAMRE")
    at.number_input(key="budget_new_year").set_value(2019)
    at.number_input(key="budget_new_b").set_value(3_500_000)
    at = _submit(at)
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("SAMRE 2019 är sparade" in s.value for s in at.success)
    assert list_budgets(Store(database)) == [Budget("SAMRE", 2019, 3_500_000, None)]
    entries, log = at.dataframe[0].value, at.dataframe[1].value
    assert entries.iloc[0].to_dict() == {
        "Insats": "SAMRE",
        "År": "2019",
        "Budget": "3 500 000 kr",
        "Utfall": "–",
        "Data": "finns",
    }
    assert (log.iloc[0]["Vem"], log.iloc[0]["Fält"], log.iloc[0]["Efter"]) == (
        "lokal",
        "budget",
        "3 500 000 kr",
    )

    # The outcome, later: the entry is chosen, the form comes filled in.
    at.selectbox(key="budget_entry").set_value("SAMRE|2019").run()
    assert at.number_input(key="budget_edit_SAMRE|2019_b").value == 3_500_000
    at.number_input(key="budget_edit_SAMRE|2019_o").set_value(3_620_000)
    at = _submit(at)
    assert not at.exception and not at.error
    newest = budget_changes(Store(database))[0]
    assert (newest["field"], newest["old"], newest["new"]) == ("outcome_sek", None, "3620000")
    audit = [e for e in Store(database).audit_entries() if e["action"].startswith("budget_")]
    assert [e["action"] for e in audit] == ["budget_edit", "budget_create"]
    assert at.dataframe[1].value.iloc[0]["Fält"] == "utfall"


def test_a_year_out_of_range_is_refused_in_swedish_and_nothing_is_stored(
    goals_page: AppTest, database: str
) -> None:
    at = goals_page.run()
    at.text_input(key="budget_new_project").set_value("SAMRE")
    at.number_input(key="budget_new_year").set_value(1999)
    at.number_input(key="budget_new_b").set_value(100)
    at = _submit(at)
    assert any("inget rimligt år" in e.value for e in at.error)
    assert list_budgets(Store(database)) == []
