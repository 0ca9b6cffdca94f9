"""Goals on a cost metric: judged on the cost of the year of the month, hidden like the page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from access.roles import system_user
from budgets.model import Budget
from budgets.service import save_budget
from goals.model import Goal
from goals.service import create_goal, get_goal, goal_history, goal_statuses
from goals.text import target_text, value_text
from goals.toml_io import GoalDefinitionError, parse_goals
from reports.content import build_report
from store import Store
from store.importer import import_export

ADMIN = system_user("anna")
HEADER = "deltagare_id;insats;kommun;kon;startdatum;slutdatum;bistand_slut;forsorjning_slut\n"

COST_GOAL = Goal(
    id="samre-kostnad",
    project="SAMRE",
    title="Kostnad per deltagare högst 45 000 kr",
    period="Huvudmål",
    metric="cost_per_participant",
    direction="lower",
    target=45_000,
    yellow=50_000,
)


def _export(participants: int) -> bytes:
    """``participants`` during 2019: 8 ended (2 self-sufficient), the rest still going."""
    rows = [f"S{i};SAMRE;Sollentuna;K;2019-02-01;2019-09-30;inget;lon" for i in range(2)]
    rows += [
        f"C{i};SAMRE;Sollentuna;M;2019-02-01;2019-10-31;helt;ekonomiskt_bistand" for i in range(6)
    ]
    rows += [f"O{i};SAMRE;Sigtuna;K;2018-06-01;;;" for i in range(participants - 8)]
    return (HEADER + "\n".join(rows) + "\n").encode()


@pytest.fixture
def store(sqlite_url: str) -> Iterator[Store]:
    opened = Store(sqlite_url)
    for month, participants in (("2019-11", 16), ("2019-12", 20)):
        outcome = import_export(opened, _export(participants), f"samre_{month}.csv", actor=ADMIN)
        assert outcome.status == "imported", outcome.message
    yield opened
    opened.close()


def test_a_goal_file_may_name_a_cost_metric_but_no_filter() -> None:
    text = (
        '[[goal]]\nid = "k"\nproject = "SAMRE"\nperiod = "Huvudmål"\ntitle = "Kostnad"\n'
        'metric = "cost_per_participant"\ndirection = "lower"\ntarget = 45000\nyellow = 50000\n'
    )
    (goal,) = parse_goals(text)
    assert goal.metric == "cost_per_participant"
    assert target_text(goal) == "högst 45 000 kr (gult från 50 000 kr)"
    with pytest.raises(GoalDefinitionError, match="gäller hela insatsen"):
        parse_goals(text + 'kommun = "Sigtuna"\n')


def test_a_cost_goal_is_judged_on_the_years_cost(store: Store) -> None:
    create_goal(store, COST_GOAL, ADMIN)
    (grey,) = goal_statuses(store)
    assert grey.status == "grey"  # no budget yet: nothing to judge
    save_budget(store, Budget("SAMRE", 2019, 1_000_000, 800_000), ADMIN)
    (now,) = goal_statuses(store)
    # 800 000 kr over 20 participants: 40 000 kr, at most 45 000 kr.
    assert (now.status, now.value, now.denominator, now.month) == ("green", 40_000, 20, "2019-12")
    assert value_text(get_goal(store, COST_GOAL.id), now) == "40 000 kr (n = 20)"
    # The months stored before the budget stay as they were judged.
    history = goal_history(store)[COST_GOAL.id]
    assert [(h.month, h.status) for h in history] == [("2019-11", "grey"), ("2019-12", "grey")]


def test_a_new_month_is_stored_with_its_cost(sqlite_url: str) -> None:
    store = Store(sqlite_url)
    import_export(store, _export(16), "samre_2019-11.csv", actor=ADMIN)
    save_budget(store, Budget("SAMRE", 2019, 800_000), ADMIN)
    create_goal(store, COST_GOAL, ADMIN)
    import_export(store, _export(20), "samre_2019-12.csv", actor=ADMIN)
    history = goal_history(store)[COST_GOAL.id]
    # November: 800 000 / 16 = 50 000 (yellow); December: 40 000 (green).
    assert [(h.month, h.status, h.value) for h in history] == [
        ("2019-11", "yellow", 50_000),
        ("2019-12", "green", 40_000),
    ]
    store.close()


def test_a_cost_whose_count_is_hidden_is_hidden_in_the_goal_too(store: Store) -> None:
    save_budget(store, Budget("SAMRE", 2019, 800_000), ADMIN)
    goal = Goal(
        id="samre-sjalvforsorjande",
        project="SAMRE",
        title="Kostnad per självförsörjande",
        period="Huvudmål",
        metric="cost_per_self_sufficient",
        direction="lower",
        target=500_000,
        yellow=600_000,
    )
    create_goal(store, goal, ADMIN)
    (record,) = goal_statuses(store)
    # 2 self-sufficient: judged (400 000 kr, green) but the figures are not shown.
    assert record.status == "green"
    assert record.suppressed and record.hidden_reason == "small"
    assert record.value is None and record.denominator is None
    line = next(g for g in build_report(store, "SAMRE").goals if g.id == goal.id)
    assert line.value == "<5" and "400 000" not in line.n
    (open_record,) = goal_statuses(store, suppress=0)
    assert open_record.value == 400_000


def test_the_pack_shows_a_cost_goal_in_kronor(store: Store) -> None:
    save_budget(store, Budget("SAMRE", 2019, 1_000_000), ADMIN)
    create_goal(store, COST_GOAL, ADMIN)
    line = next(g for g in build_report(store, "SAMRE").goals if g.id == COST_GOAL.id)
    # The budget, 1 000 000 kr, over 20: 50 000 kr, within the yellow 50 000 kr.
    assert (line.value, line.n, line.word) == ("50 000 kr", "n = 20", "Delvis uppfyllt")
    assert line.target == "högst 45 000 kr (gult från 50 000 kr)"


def test_the_pack_defines_a_cost_goals_metric_without_an_entry_for_the_year(
    store: Store,
) -> None:
    create_goal(store, COST_GOAL, ADMIN)
    content = build_report(store, "SAMRE")
    line = next(g for g in content.goals if g.id == COST_GOAL.id)
    assert line.status == "grey" and line.value == "Ingen uppgift"
    assert content.costs is not None and not content.costs.recorded
    assert "cost_per_participant" in {m.id for m in content.costs.definitions}


def test_the_goal_page_shows_a_cost_goal_in_kronor(
    store: Store, sqlite_url: str, tmp_path: Path
) -> None:
    from streamlit.testing.v1 import AppTest

    save_budget(store, Budget("SAMRE", 2019, 1_000_000, 800_000), ADMIN)
    create_goal(store, COST_GOAL, ADMIN)
    repo = Path(__file__).resolve().parents[1]
    script = tmp_path / "mal_page.py"
    script.write_text(
        "import os, runpy, sys\n"
        "import streamlit as st\n"
        f"os.environ['DATABASE_URL'] = {sqlite_url!r}\n"
        f"sys.path.insert(0, {str(repo)!r})\n"
        "st.cache_resource.clear()\n"
        f"runpy.run_path({str(repo / 'views' / 'mal.py')!r}, run_name='__main__')\n",
        encoding="utf-8",
    )
    at = AppTest.from_file(str(script), default_timeout=60).run()
    assert not at.exception
    text = "\n".join(m.value for m in at.markdown)
    assert (
        "**Kostnad per deltagare:** 40 000 kr (n = 20) — mål: högst 45 000 kr "
        "(gult från 50 000 kr)" in text
    )
    assert "✔ Uppfyllt" in text
