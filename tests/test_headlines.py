"""Översikt's opening: goals that changed colour, the period against a year earlier, and the
municipalities furthest outside the limits."""

from __future__ import annotations

from datetime import date

import polars as pl

from goals.changes import colour_changes, colour_changes_sentence
from goals.model import Goal
from goals.records import GoalMonth
from metrics.headlines import against_last_year, largest_differences
from metrics.period import Period, year_to_date
from metrics.selection import Selection
from presentation.headlines import difference_sentences, period_sentence
from tests.metrics_factory import cases, repeat


def _goal(goal_id: str, removed: date | None = None) -> Goal:
    return Goal(
        id=goal_id,
        title=f"Mål {goal_id}",
        project="SAMRE",
        period="Delmål 2019",
        kind="manual",
        removed=removed,
        decision="Styrelsen" if removed else "",
    )


def _month(month: str, status: str) -> GoalMonth:
    return GoalMonth(
        status=status,
        label=status,
        value=None,
        numerator=None,
        denominator=None,
        suppressed=False,
        hidden_reason=None,
        month=month,
    )


def test_only_goals_whose_two_newest_stored_months_differ_have_changed_colour():
    history = {
        "a": [_month("2019-10", "green"), _month("2019-11", "red"), _month("2019-12", "yellow")],
        "b": [_month("2019-11", "green"), _month("2019-12", "green")],
        "c": [_month("2019-12", "red")],
        "d": [_month("2019-11", "green"), _month("2019-12", "red")],
    }
    goals = [_goal("a"), _goal("b"), _goal("c"), _goal("d", removed=date(2019, 12, 5))]
    changes = colour_changes(goals, history)
    assert [(c.goal_id, c.before, c.after, c.month) for c in changes] == [
        ("a", "red", "yellow", "2019-12")
    ]
    assert colour_changes_sentence(changes) == "1 mål har bytt färg sedan förra månaden."
    assert colour_changes_sentence([]) == "Inget mål har bytt färg sedan förra månaden."


def test_the_year_so_far_is_compared_with_the_same_months_a_year_earlier():
    assert year_to_date("2019-08") == Period(date(2019, 1, 1), date(2019, 8, 31))
    snapshots = cases(
        [
            *repeat(12, start_date=date(2018, 3, 1), end_date=date(2018, 6, 1)),
            *repeat(20, start_date=date(2019, 2, 1)),
            # Started in autumn 2018: outside January to August of either year.
            *repeat(7, start_date=date(2018, 10, 1), end_date=date(2018, 11, 1)),
        ],
        report_month="2019-08",
    )
    comparison = against_last_year(snapshots, Selection())
    assert comparison is not None
    assert comparison.earlier == Period(date(2018, 1, 1), date(2018, 8, 31))
    assert period_sentence(comparison) == (
        "Under 2019-01-01–2019-08-31 hade insatserna 20 deltagare, mot 12 under "
        "2018-01-01–2018-08-31 (+8)."
    )


def test_a_hidden_count_gives_no_difference():
    snapshots = cases(
        [*repeat(3, start_date=date(2018, 3, 1)), *repeat(20, start_date=date(2019, 2, 1))],
        report_month="2019-12",
    )
    comparison = against_last_year(snapshots, Selection.of(period=Period.year(2018)))
    assert comparison is not None
    sentence = period_sentence(comparison)
    assert sentence == "Under år 2018 hade insatserna <5 deltagare, mot 0 under år 2017."
    assert "3" not in sentence


def _plans(groups) -> pl.DataFrame:
    rows = []
    for municipality, plan, without in groups:
        rows += repeat(plan, municipality=municipality, joint_plan=True)
        rows += repeat(without, municipality=municipality, joint_plan=False)
    return cases(rows, report_month="2019-12")


def test_the_largest_differences_are_the_shown_units_outside_the_95_limits():
    snapshots = _plans(
        (("Sigtuna", 10, 30), ("Sollentuna", 34, 6), ("Knivsta", 30, 10), ("Täby", 24, 16))
    )
    differences = largest_differences(snapshots, Selection())
    plan = differences.filter(pl.col("metric") == "share_joint_plan")
    assert plan["unit"].to_list()[:2] == ["Sigtuna", "Sollentuna"]
    assert "Täby" not in plan["unit"].to_list()  # 60 % of 40: within the limits
    assert differences["distance"].to_list() == sorted(differences["distance"], reverse=True)
    sentence = difference_sentences(plan.head(1))[0]
    assert sentence.startswith("Sigtuna: andel med gemensam planering 25,0 % mot")
    assert "(n = 40)" in sentence and "under 95 %-gränserna" in sentence


def test_a_hidden_unit_is_never_among_the_differences():
    snapshots = _plans((("Sigtuna", 20, 20), ("Knivsta", 21, 19), ("Vallentuna", 4, 0)))
    differences = largest_differences(snapshots, Selection())
    assert "Vallentuna" not in differences["unit"].to_list()


def test_no_difference_outside_the_limits_says_it_may_be_chance():
    assert "kan vara slump" in difference_sentences(pl.DataFrame())[0]
