"""Evaluation: a metric value against a goal's thresholds, with no data never coloured."""

from __future__ import annotations

from datetime import date

import pytest

from goals.evaluate import evaluate, measured_status
from goals.model import Goal


def measured(**kw: object) -> Goal:
    base: dict = {
        "id": "g",
        "project": "SAMRE",
        "title": "Mål",
        "period": "Huvudmål",
        "metric": "share_joint_plan",
        "direction": "higher",
        "target": 1.0,
        "yellow": 0.9,
    }
    return Goal(**{**base, **kw})


def row(value: float | None, numerator: int | None = 9, denominator: int | None = 10) -> dict:
    return {"value": value, "numerator": numerator, "denominator": denominator}


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1.0, "green"), (0.9999, "yellow"), (0.9, "yellow"), (0.8999, "red"), (0.0, "red")],
)
def test_higher_is_green_at_target_and_yellow_at_threshold(value: float, expected: str) -> None:
    assert measured_status("higher", 1.0, 0.9, value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(150, "green"), (183, "green"), (183.5, "yellow"), (240, "yellow"), (240.5, "red")],
)
def test_lower_is_green_at_or_below_target(value: float, expected: str) -> None:
    assert measured_status("lower", 183, 240, value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.4, "green"),
        (0.6, "green"),
        (0.5, "green"),
        (0.39, "yellow"),
        (0.61, "yellow"),
        (0.35, "yellow"),
        (0.65, "yellow"),
        (0.349, "red"),
        (0.651, "red"),
    ],
)
def test_within_is_green_inside_the_band_and_yellow_in_the_wider_one(
    value: float, expected: str
) -> None:
    assert measured_status("within", (0.4, 0.6), (0.35, 0.65), value) == expected


def test_a_share_computed_by_division_meets_a_target_written_as_a_decimal() -> None:
    assert measured_status("higher", 0.3, 0.2, 3 / 10) == "green"
    assert measured_status("higher", 0.7, 0.5, 7 / 10) == "green"


@pytest.mark.parametrize(
    "metric_row",
    [None, row(None, None, None), row(None, 0, 0), row(0.0, 0, 0)],
    ids=["no rows", "no value", "zero denominator", "zero denominator with value"],
)
def test_no_data_is_grey_never_a_guessed_colour(metric_row: dict | None) -> None:
    result = evaluate(measured(), metric_row)
    assert result.status == "grey"
    assert result.label == "Ej bedömt"


def test_a_count_of_zero_is_data_and_is_judged() -> None:
    goal = measured(metric="participants", target=50, yellow=40)
    assert evaluate(goal, {"value": 0.0, "numerator": 0, "denominator": None}).status == "red"
    assert evaluate(goal, {"value": 50.0, "numerator": 50, "denominator": None}).status == "green"


def test_evaluation_keeps_the_figures_it_judged_and_the_swedish_word() -> None:
    result = evaluate(measured(), row(0.95, 19, 20))
    assert (result.status, result.label) == ("yellow", "Delvis uppfyllt")
    assert (result.value, result.numerator, result.denominator) == (0.95, 19, 20)


def test_manual_goal_shows_its_judgement_from_the_month_it_was_assessed() -> None:
    goal = Goal(
        id="avtal",
        project="SAMRE",
        title="Avtal",
        period="Delmål 2018",
        kind="manual",
        status="green",
        assessed=date(2018, 6, 12),
        comment="Undertecknat",
    )
    assert evaluate(goal, None).status == "green"
    assert evaluate(goal, None, month="2018-06").label == "Uppfyllt"
    assert evaluate(goal, None, month="2018-05").status == "grey"


def test_manual_goal_not_yet_judged_is_grey() -> None:
    goal = Goal(id="m", project="P", title="T", period="H", kind="manual", status="grey")
    assert evaluate(goal, None).status == "grey"


def test_removed_goal_is_removed_from_its_month_and_judged_before() -> None:
    goal = measured(removed=date(2019, 2, 14), decision="Styrelsen strök målet.")
    assert evaluate(goal, row(1.0, 10, 10)).status == "removed"
    assert evaluate(goal, row(1.0, 10, 10)).label == "Utgått"
    assert evaluate(goal, row(1.0, 10, 10), month="2019-02").status == "removed"
    assert evaluate(goal, row(1.0, 10, 10), month="2019-01").status == "green"
