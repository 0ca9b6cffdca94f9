"""The Mål page, run with AppTest on a SQLite file of its own."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from access.roles import system_user
from charts.goal_trend import DECISION_TRACE, NO_METRIC_TEXT
from goals.model import Goal
from goals.service import create_goal, edit_goal, get_goal, goal_changes, goal_history, remove_goal
from ingest import schema
from metrics.period import Period
from metrics.selection import Selection
from store import Store
from ui.filters import Filters

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


# -- the scorecard and a goal's trend ------------------------------------------------------


class _Table(HTMLParser):
    """The scorecard's rows as the text of each header and cell (what a screen reader reads,
    without the symbols it is told to skip) and as shown (with them)."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.caption = ""
        self._cell: list[str] | None = None
        self._in_caption = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("th", "td"):
            self._cell = []
        elif tag == "caption":
            self._in_caption = True

    def handle_endtag(self, tag: str) -> None:
        if tag in ("th", "td") and self._cell is not None:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "caption":
            self._in_caption = False

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        elif self._in_caption:
            self.caption += data


def _scorecard(at: AppTest) -> _Table:
    (body,) = [h.value for h in at.html if "lb-scorecard" in h.value]
    table = _Table()
    table.feed(body)
    return table


def _chart(at: AppTest) -> dict:
    return json.loads(at.get("plotly_chart")[0].proto.spec)


def test_scorecard_shows_each_months_stored_status_and_the_value_now(page) -> None:
    at, store = page
    at.run()
    before = _scorecard(at)
    # A lower target would judge February green today; the scorecard keeps what was stored.
    edit_goal(store, replace(PLAN, target=0.85, yellow=0.8), system_user("bertil"))
    at.run()
    assert not at.exception
    table = _scorecard(at)
    assert table.rows == before.rows
    header, plan, agreement = table.rows
    assert header == ["Mål", "2019-01", "2019-02", "Värde nu"]
    assert plan == [
        "Alla deltagare får en gemensam planering SAMRE · Huvudmål",
        "✔ Uppfyllt",
        "◐ Delvis uppfyllt",
        "90,0 % (18 av 20)",
    ]
    assert agreement[0].startswith("En skriftlig lokal överenskommelse är undertecknad")
    assert agreement[-1] == "Bedömt 2018-06-12"
    assert "senaste 2 månaderna" in table.caption
    # The card below judges now, by the new target: green.
    assert "✔ Uppfyllt" in _markdown(at).split("Målen i detalj")[-1].split("Delmål 2018")[0]


def test_the_period_in_the_sidebar_gives_the_scorecards_months(page) -> None:
    at, _store = page
    at.session_state["_current_filters"] = Filters(
        selection=Selection.of(period=Period.quarter(2019, 1))
    )
    at.run()
    assert not at.exception
    header, plan, _ = _scorecard(at).rows
    assert header == ["Mål", "2019-01", "2019-02", "2019-03", "Värde nu"]
    assert plan[1:3] == ["✔ Uppfyllt", "◐ Delvis uppfyllt"]
    assert plan[3].startswith("–") and plan[3].endswith("ingen status sparad")


def test_choosing_a_goal_opens_its_trend_with_zones_and_decisions(page) -> None:
    at, store = page
    remove_goal(store, "plan", date(2019, 2, 14), "Styrelsen strök målet.", system_user("anna"))
    at.run()
    assert not at.get("plotly_chart")
    at.selectbox(key="scorecard_goal").set_value("plan")
    at.run()
    assert not at.exception
    assert "Trend: Alla deltagare får en gemensam planering" in [s.value for s in at.subheader]
    spec = _chart(at)
    line = spec["data"][0]
    assert line["y"] == [1.0, 0.9]
    bands = [s for s in spec["layout"]["shapes"] if s["type"] == "rect"]
    assert [b["label"]["text"] for b in bands] == [
        "✔ Uppfyllt: minst 100 %",
        "◐ Delvis uppfyllt: minst 90 %",
    ]
    decision = next(t for t in spec["data"] if t["name"] == DECISION_TRACE)
    assert decision["x"] == ["2019-02-14"] and decision["text"] == ["Utgått"]
    assert "Styrelsen strök målet." in _markdown(at)


def test_a_goal_judged_by_hand_opens_without_a_line(page) -> None:
    at, _store = page
    at.run()
    at.selectbox(key="scorecard_goal").set_value("avtal")
    at.run()
    assert not at.exception
    assert not at.get("plotly_chart")
    assert any(NO_METRIC_TEXT in i.value for i in at.info)
