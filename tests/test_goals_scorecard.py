"""The goal scorecard and a goal's trend: read from the stored monthly statuses, never
re-evaluated, and never showing a hidden value."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, date, datetime

import polars as pl
import pytest

from access.roles import system_user
from goals.evaluate import evaluate
from goals.model import Goal
from goals.records import GoalMonth
from goals.scorecard import (
    NO_STATUS_LABEL,
    NO_STATUS_TEXT,
    build_scorecard,
    goal_trend,
    scorecard_months,
)
from goals.service import (
    _definition,
    create_goal,
    edit_goal,
    goal_changes,
    goal_history,
    goal_statuses,
    list_goals,
    remove_goal,
    status_months,
)
from ingest import schema
from metrics.catalogue import compute_metrics
from metrics.period import Period
from store import Store
from store.goal_store import GoalStore

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
    assessed=date(2019, 1, 20),
)


def snapshot(with_plan: int, without_plan: int) -> pl.DataFrame:
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


def save(store: Store, month: str, frame: pl.DataFrame) -> None:
    store.save_snapshots(
        file_name=f"export_{month}.csv",
        sha256=f"sha-{month}-{frame.height}",
        report_month=month,
        cases=frame,
        imported_by="anna",
        replace=False,
    )


@pytest.fixture
def store(sqlite_url: str):
    opened = Store(sqlite_url)
    yield opened
    opened.close()


def scorecard_of(store: Store, months: list[str]):
    goals = list_goals(store)
    records = {r.id: r for r in goal_statuses(store)}
    history = goal_history(store, months=months)
    return build_scorecard(goals, records, history, months), history


def cells(card, goal_id: str) -> dict[str, str | None]:
    return {c.month: c.status for c in card.row(goal_id).cells}


# -- the months ----------------------------------------------------------------------


def test_months_are_the_chosen_period_or_the_newest_twelve_stored() -> None:
    stored = [f"2018-{m:02d}" for m in range(1, 13)] + [f"2019-{m:02d}" for m in range(1, 4)]
    assert scorecard_months(stored) == stored[-12:]
    assert scorecard_months(stored)[0] == "2018-04"
    assert scorecard_months(["2019-02", "2019-01", "2019-02"]) == ["2019-01", "2019-02"]
    assert scorecard_months([]) == []
    half = Period.half(2019, 1).months()
    assert scorecard_months(stored, half) == [f"2019-{m:02d}" for m in range(1, 7)]


# -- cells are what was stored --------------------------------------------------------


def test_cells_are_the_stored_statuses_not_a_new_evaluation(store: Store) -> None:
    save(store, "2019-01", snapshot(10, 0))
    save(store, "2019-02", snapshot(9, 1))
    create_goal(store, PLAN, system_user("anna"))
    months = ["2019-01", "2019-02", "2019-03"]
    before, _ = scorecard_of(store, months)
    assert cells(before, "plan") == {"2019-01": "green", "2019-02": "yellow", "2019-03": None}

    # A lower target would make February green if it were judged again; it was not.
    lower = replace(PLAN, target=0.85, yellow=0.8)
    edit_goal(store, lower, system_user("bertil"))
    february = compute_metrics(snapshot(9, 1), ["share_joint_plan"]).row(0, named=True)
    assert evaluate(lower, february, "2019-02").status == "green"
    save(store, "2019-03", snapshot(9, 1))

    after, _ = scorecard_of(store, months)
    assert cells(after, "plan") == {"2019-01": "green", "2019-02": "yellow", "2019-03": "green"}
    row = after.row("plan")
    assert [c.text for c in row.cells] == ["✔ Uppfyllt", "◐ Delvis uppfyllt", "✔ Uppfyllt"]
    assert row.value_now == "90,0 % (9 av 10)"


def test_a_status_stored_directly_is_shown_as_stored(store: Store) -> None:
    """The store's word is final: a month stored red reads red, whatever the data says now."""
    save(store, "2019-01", snapshot(10, 0))
    create_goal(store, PLAN, system_user("anna"))
    GoalStore(store.engine).add_statuses(
        [
            {
                "goal_id": "plan",
                "report_month": "2019-01",
                "status": "red",
                "value": 0.5,
                "numerator": 5,
                "denominator": 10,
                "definition": _definition(PLAN),
                "evaluated_at": datetime(2019, 2, 3, tzinfo=UTC),
            }
        ]
    )
    january = compute_metrics(snapshot(10, 0), ["share_joint_plan"]).row(0, named=True)
    assert evaluate(PLAN, january, "2019-01").status == "green"

    card, history = scorecard_of(store, ["2019-01"])
    assert cells(card, "plan") == {"2019-01": "red"}
    assert card.row("plan").cells[0].text == "✖ Ej uppfyllt"
    trend = goal_trend(PLAN, history["plan"], goal_changes(store, "plan"), ["2019-01"])
    assert [p.value for p in trend.points] == [0.5]
    assert "50,0 % (5 av 10)" in trend.points[0].hover


def test_a_month_without_a_stored_status_is_an_empty_cell_that_says_so(store: Store) -> None:
    save(store, "2019-02", snapshot(10, 0))
    create_goal(store, PLAN, system_user("anna"))
    card, _ = scorecard_of(store, ["2019-01", "2019-02"])
    empty, stored = card.row("plan").cells
    assert (empty.month, empty.stored, empty.text, empty.label) == (
        "2019-01",
        False,
        NO_STATUS_TEXT,
        NO_STATUS_LABEL,
    )
    assert (stored.text, stored.label) == ("✔ Uppfyllt", "Uppfyllt")
    assert card.table()["2019-01"].to_list() == ["–"]
    assert status_months(store) == ["2019-02"]


def test_rows_keep_the_goal_order_and_group_by_period(store: Store) -> None:
    save(store, "2019-01", snapshot(10, 0))
    create_goal(store, PLAN, system_user("anna"))
    create_goal(store, AGREEMENT, system_user("anna"))
    card, _ = scorecard_of(store, ["2019-01"])
    assert [r.goal_id for r in card.rows] == ["plan", "avtal"]
    assert [(p, [r.goal_id for r in rows]) for p, rows in card.by_period()] == [
        ("Huvudmål", ["plan"]),
        ("Delmål 2018", ["avtal"]),
    ]
    assert card.row("avtal").value_now == "Bedömt 2019-01-20"
    assert card.table().columns == ["Mål", "Insats", "Period", "2019-01", "Värde nu"]


# -- hidden values --------------------------------------------------------------------


def test_a_hidden_value_appears_nowhere(store: Store) -> None:
    # Three of four participants: every count is under 5, so the share is hidden.
    save(store, "2019-01", snapshot(3, 1))
    save(store, "2019-02", snapshot(18, 2))
    create_goal(store, PLAN, system_user("anna"))
    months = ["2019-01", "2019-02"]
    card, history = scorecard_of(store, months)
    stored = {r["report_month"]: r for r in GoalStore(store.engine).statuses(["plan"])}
    assert stored["2019-01"]["value"] == 0.75  # the store has it; nothing shown may
    january = history["plan"][0]
    assert january.suppressed and january.value is None

    trend = goal_trend(PLAN, history["plan"], goal_changes(store, "plan"), months)
    point = trend.points[0]
    assert (point.value, point.hidden, point.hidden_reason) == (None, True, "small")
    assert "<5" in point.hover
    shown = " ".join(
        [
            *(c for row in card.table().iter_rows() for c in row),
            *(p.hover for p in trend.points),
            *(c for row in trend.table().iter_rows() for c in row),
        ]
    )
    assert not re.search(r"\b75\b|\b3 av\b|\b[1-4] av\b", shown), shown
    assert trend.points[1].value == 0.9


def test_a_value_marked_hidden_is_never_drawn_even_if_a_record_carries_it() -> None:
    leaked = GoalMonth(
        status="yellow",
        label="Delvis uppfyllt",
        value=0.93,
        numerator=14,
        denominator=15,
        suppressed=True,
        hidden_reason="linked",
        month="2019-05",
        direction="higher",
        target=1.0,
        yellow=0.9,
    )
    trend = goal_trend(PLAN, [leaked], [], ["2019-05"])
    point = trend.points[0]
    assert point.value is None and point.hidden and point.hidden_reason == "linked"
    assert "dold" in point.hover
    text = json.dumps([point.hover, trend.table().rows()], ensure_ascii=False)
    assert "93" not in text and "14" not in text


# -- the trend --------------------------------------------------------------------------


def test_zones_follow_the_thresholds_each_month_was_judged_against(store: Store) -> None:
    save(store, "2019-01", snapshot(10, 0))
    save(store, "2019-02", snapshot(9, 1))
    create_goal(store, PLAN, system_user("anna"))
    goal_history(store)  # January and February are judged against 100 % / 90 %
    edit_goal(store, replace(PLAN, target=0.85, yellow=0.8), system_user("bertil"))
    save(store, "2019-03", snapshot(9, 1))
    months = ["2019-01", "2019-02", "2019-03"]
    history = goal_history(store, months=months)["plan"]
    goal = list_goals(store)[0]

    trend = goal_trend(goal, history, goal_changes(store, "plan"), months)
    zones = [(z.style, z.low, z.high, z.first_month, z.last_month) for z in trend.zones]
    assert zones == [
        ("met", 1.0, None, "2019-01", "2019-02"),
        ("partly_met", 0.9, 1.0, "2019-01", "2019-02"),
        ("met", 0.85, None, "2019-03", "2019-03"),
        ("partly_met", 0.8, 0.85, "2019-03", "2019-03"),
    ]
    assert [z.text for z in trend.zones[:2]] == [
        "✔ Uppfyllt: minst 100 %",
        "◐ Delvis uppfyllt: minst 90 %",
    ]
    assert [p.value for p in trend.points] == [1.0, 0.9, 0.9]
    assert trend.table()["Bedömt mot"].to_list() == [
        "minst 100 % (gult från 90 %)",
        "minst 100 % (gult från 90 %)",
        "minst 85 % (gult från 80 %)",
    ]
    (edit,) = trend.decisions
    assert edit.label == "Ändrat"
    assert edit.text == "Målvärde 100 % → 85 %; gul gräns 90 % → 80 %"
    assert edit.day == goal_changes(store, "plan")[0]["at"].date()


def test_removal_is_a_decision_with_its_date_and_no_zone_after_it(store: Store) -> None:
    save(store, "2019-01", snapshot(10, 0))
    create_goal(store, PLAN, system_user("anna"))
    goal_history(store)
    remove_goal(store, "plan", date(2019, 2, 14), "Styrelsen strök målet.", system_user("anna"))
    save(store, "2019-02", snapshot(10, 0))
    months = ["2019-01", "2019-02"]
    goal = list_goals(store)[0]
    history = goal_history(store, months=months)["plan"]
    trend = goal_trend(goal, history, goal_changes(store, "plan"), months)

    assert [m.status for m in trend.months] == ["green", "removed"]
    assert trend.months[1].status_text == "— Utgått"
    assert {(z.first_month, z.last_month) for z in trend.zones} == {("2019-01", "2019-01")}
    removal = trend.decisions[-1]
    assert (removal.day, removal.label, removal.text) == (
        date(2019, 2, 14),
        "Utgått",
        "Styrelsen strök målet.",
    )
    # The removal is marked once: from the goal, not again from the logged field.
    assert [d.label for d in trend.decisions].count("Utgått") == 1


def test_within_goal_has_a_green_band_between_two_yellow_ones() -> None:
    goal = Goal(
        id="kon",
        project="SAMS",
        title="Jämn fördelning",
        period="Huvudmål",
        metric="share_women",
        direction="within",
        target=(0.4, 0.6),
        yellow=(0.35, 0.65),
    )
    month = GoalMonth(
        status="green",
        label="Uppfyllt",
        value=0.5,
        numerator=25,
        denominator=50,
        suppressed=False,
        hidden_reason=None,
        month="2019-01",
        direction="within",
        target=(0.4, 0.6),
        yellow=(0.35, 0.65),
    )
    trend = goal_trend(goal, [month], [], ["2019-01"])
    assert [(z.style, z.low, z.high) for z in trend.zones] == [
        ("met", 0.4, 0.6),
        ("partly_met", 0.6, 0.65),
        ("partly_met", 0.35, 0.4),
    ]
    assert [z.text for z in trend.zones] == [
        "✔ Uppfyllt: 40 %–60 %",
        "◐ Delvis uppfyllt: 35 %–65 %",
        "",
    ]


def test_a_goal_judged_by_hand_has_no_line_but_its_months_and_assessments(
    store: Store,
) -> None:
    save(store, "2019-01", snapshot(10, 0))
    manual = replace(AGREEMENT, status=None, assessed=None)
    create_goal(store, manual, system_user("anna"))
    goal_history(store)
    from goals.service import set_manual_status

    set_manual_status(store, "avtal", "green", "Klart", date(2019, 1, 20), system_user("anna"))
    goal = list_goals(store)[0]
    history = goal_history(store, months=["2019-01"])["avtal"]
    trend = goal_trend(goal, history, goal_changes(store, "avtal"), ["2019-01"])
    assert trend.qualitative and trend.points == () and trend.zones == ()
    assert trend.table().columns == ["Månad", "Status"]
    assert trend.table()["Status"].to_list() == ["○ Ej bedömt"]  # stored before the judgement
    (assessment,) = trend.decisions
    assert assessment.label == "Bedömt"
    assert "bedömning ej bedömt → uppfyllt" in assessment.text.lower()


def test_wording_edits_are_no_decisions(store: Store) -> None:
    save(store, "2019-01", snapshot(10, 0))
    create_goal(store, PLAN, system_user("anna"))
    edit_goal(store, replace(PLAN, title="Gemensam planering för alla"), system_user("anna"))
    trend = goal_trend(PLAN, [], goal_changes(store, "plan"), ["2019-01"])
    assert trend.decisions == ()


def test_a_value_hidden_to_protect_another_reads_dold_not_less_than_five() -> None:
    from goals.text import value_text

    linked = GoalMonth(
        status="yellow",
        label="Delvis uppfyllt",
        value=None,
        numerator=None,
        denominator=40,
        suppressed=True,
        hidden_reason="linked",
        month="2019-05",
    )
    assert value_text(PLAN, linked) == "dold av 40"
    assert value_text(PLAN, replace(linked, hidden_reason="small")) == "<5 av 40"


def test_a_cost_goal_has_its_trend_in_kronor() -> None:
    from charts.goal_trend import goal_trend as draw

    goal = Goal(
        id="kostnad",
        project="SAMRE",
        title="Kostnad per deltagare högst 45 000 kr",
        period="Huvudmål",
        metric="cost_per_participant",
        direction="lower",
        target=45_000,
        yellow=50_000,
    )
    month = GoalMonth(
        status="yellow",
        label="Delvis uppfyllt",
        value=47_500.0,
        numerator=None,
        denominator=20,
        suppressed=False,
        hidden_reason=None,
        month="2019-12",
        direction="lower",
        target=45_000,
        yellow=50_000,
    )
    trend = goal_trend(goal, [month], [], ["2019-12"])
    assert trend.value_kind == "cost" and trend.value_label == "Kostnad per deltagare"
    assert [(z.low, z.high) for z in trend.zones] == [(None, 45_000), (45_000, 50_000)]
    assert all("kr" in z.text for z in trend.zones), [z.text for z in trend.zones]
    assert "kr" in trend.points[0].hover
    figure = draw(
        trend.points,
        trend.zones,
        value_label=trend.value_label,
        value_kind=trend.value_kind,
        title=goal.title,
    )
    assert list(figure.data[0].y) == [47_500.0]
    assert figure.layout.yaxis.range[1] >= 50_000
