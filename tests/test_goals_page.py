"""The Mål page, run with AppTest on a SQLite file of its own."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from access.roles import system_user
from goals.model import Goal
from goals.service import create_goal, get_goal, goal_changes, goal_history
from ingest import schema
from store import Store

REPO = Path(__file__).resolve().parents[1]

PLAN = Goal(
    id="plan",
    project="SAMRE",
    title="Alla deltagare får en gemensam planering",
    period="Huvudmål",
    metric="share_joint_plan",
    direction="higher",
    target=1.0,
    yellow=0.9,
)
AGREEMENT = Goal(
    id="avtal",
    project="SAMRE",
    title="En skriftlig lokal överenskommelse är undertecknad",
    period="Delmål 2018",
    kind="manual",
    status="green",
    assessed=date(2018, 6, 12),
    comment="Undertecknad av alla parter.",
)


def _cases(with_plan: int, without_plan: int) -> pl.DataFrame:
    blank = dict.fromkeys(schema.CASE_COLUMNS)
    rows = [
        {
            **blank,
            "case_id": f"D{i:03d}",
            "project": "SAMRE",
            "municipality": "Sollentuna",
            "municipality_code": "0163",
            "gender": "K",
            "start_date": date(2019, 1, 1),
            "joint_plan": i < with_plan,
            "anonymous": False,
        }
        for i in range(with_plan + without_plan)
    ]
    return pl.DataFrame(rows, schema=schema.CASE_DTYPES)


@pytest.fixture
def page(tmp_path: Path, sqlite_url: str) -> tuple[AppTest, Store]:
    store = Store(sqlite_url)
    for month, (yes, no) in {"2019-01": (20, 0), "2019-02": (18, 2)}.items():
        store.save_snapshots(
            file_name=f"{month}.csv",
            sha256=month,
            report_month=month,
            cases=_cases(yes, no),
            imported_by="anna",
            replace=False,
        )
    create_goal(store, PLAN, system_user("anna"))
    create_goal(store, AGREEMENT, system_user("anna"))
    script = tmp_path / "mal_page.py"
    script.write_text(
        "import os, runpy, sys\n"
        "import streamlit as st\n"
        f"os.environ['DATABASE_URL'] = {sqlite_url!r}\n"
        f"sys.path.insert(0, {str(REPO)!r})\n"
        "st.cache_resource.clear()\n"
        f"runpy.run_path({str(REPO / 'views' / 'mal.py')!r}, run_name='__main__')\n",
        encoding="utf-8",
    )
    at = AppTest.from_file(str(script), default_timeout=60)
    return at, store


def _markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_goals_show_status_as_symbol_and_word_with_value_n_and_definition(page) -> None:
    at, _store = page
    at.run()
    assert not at.exception
    assert [s.value for s in at.subheader] == ["Huvudmål", "Delmål 2018"]
    text = _markdown(at)
    assert "◐ Delvis uppfyllt" in text  # 18 of 20 against 100 % / 90 %
    assert "✔ Uppfyllt" in text
    assert "90,0 % (18 av 20)" in text
    assert "minst 100 % (gult från 90 %)" in text
    assert "Undertecknad av alla parter." in text
    assert "2019-01" in text and "2019-02" in text  # the monthly history
    assert any("Definition:" in m.value for m in at.markdown)


def test_administrator_edits_a_target_in_the_page(page) -> None:
    at, store = page
    at.run()
    before = goal_history(store)["plan"]
    at.selectbox(key="goal_edit").set_value("plan")
    at.run()
    at.number_input(key="goal_edit_plan_target").set_value(0.85)
    at.number_input(key="goal_edit_plan_yellow").set_value(0.8)
    submit = next(b for b in at.button if b.label == "Spara målet" and "goal_edit" in b.form_id)
    submit.click()
    at.run()
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    assert get_goal(store, "plan") == replace(PLAN, target=0.85, yellow=0.8)
    assert any("är sparat" in s.value for s in at.success)
    assert "✔ Uppfyllt" in _markdown(at).split("Delmål 2018")[0]  # the goal now, new target
    assert goal_history(store)["plan"] == before  # the months judged stay as they were
    assert {c["field"] for c in goal_changes(store, "plan")} >= {"target", "yellow"}


def test_administrator_removes_a_goal_with_its_decision(page) -> None:
    at, store = page
    at.run()
    at.selectbox(key="goal_remove_id").set_value("plan")
    at.text_area[-1].input("Styrelsen strök målet.")
    next(b for b in at.button if b.label == "Ta bort målet").click()
    at.run()
    assert not at.exception
    assert get_goal(store, "plan").decision == "Styrelsen strök målet."
    assert "— Utgått" in _markdown(at)
