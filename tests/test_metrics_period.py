"""Periods: how they are written, and which participations a period holds, at its edges."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from metrics.catalogue import PERIOD_METRICS, SNAPSHOT_METRICS, compute_metrics
from metrics.period import Period, parse_period, period_view, recent_periods
from metrics.protection import protected_metrics
from metrics.selection import Selection, select_cases
from tests.metrics_factory import cases, repeat

FIRST, LAST = date(2019, 1, 1), date(2019, 12, 31)


def _value(frame: pl.DataFrame, metric: str) -> float | None:
    return frame.filter(pl.col("metric") == metric)["value"].item()


@pytest.mark.parametrize(
    ("text", "first", "last", "label"),
    [
        ("2019", date(2019, 1, 1), date(2019, 12, 31), "år 2019"),
        ("2019H1", date(2019, 1, 1), date(2019, 6, 30), "första halvåret 2019"),
        ("2019h2", date(2019, 7, 1), date(2019, 12, 31), "andra halvåret 2019"),
        ("2019Q3", date(2019, 7, 1), date(2019, 9, 30), "kvartal 3 2019"),
        ("2020Q1", date(2020, 1, 1), date(2020, 3, 31), "kvartal 1 2020"),
        ("2019-02-01..2019-05-31", date(2019, 2, 1), date(2019, 5, 31), "2019-02-01–2019-05-31"),
    ],
)
def test_a_period_is_read_from_the_codes_the_board_uses(text, first, last, label):
    period = parse_period(text)
    assert (period.first, period.last, period.label) == (first, last, label)
    assert parse_period(period.code) == period


@pytest.mark.parametrize("text", ["2019H3", "2019Q5", "19", "2019-05-31..2019-02-01", "förra året"])
def test_a_period_that_cannot_be_read_says_how_to_write_one(text):
    with pytest.raises(ValueError, match="2019H1") as error:
        parse_period(text)
    assert text in str(error.value)


def test_a_period_knows_its_months_and_the_same_period_a_year_earlier():
    assert Period.half(2019, 2).months() == [f"2019-{m:02d}" for m in range(7, 13)]
    assert parse_period("2020-02-29..2020-03-02").a_year_earlier() == Period(
        date(2019, 2, 28), date(2019, 3, 2)
    )
    offered = recent_periods("2019-08", years=2)
    assert offered[0] == Period.year(2019)
    assert Period.quarter(2019, 4) not in offered  # not begun by August
    assert Period.quarter(2019, 3) in offered and Period.half(2018, 1) in offered


def _edges() -> pl.DataFrame:
    return cases(
        [
            {"case_id": "starts-last-day", "start_date": LAST},
            {"case_id": "starts-after", "start_date": date(2020, 1, 1)},
            {"case_id": "ends-first-day", "start_date": date(2018, 3, 1), "end_date": FIRST},
            {
                "case_id": "ends-before",
                "start_date": date(2018, 3, 1),
                "end_date": date(2018, 12, 31),
            },
            {
                "case_id": "ends-after",
                "start_date": date(2018, 3, 1),
                "end_date": date(2020, 2, 1),
                "aid_end": "inget",
                "exit_reason": "arbete",
            },
            {"case_id": "ongoing", "start_date": date(2017, 5, 5)},
            {"case_id": "new-and-ended", "start_date": date(2019, 2, 1), "end_date": LAST},
        ],
        report_month="2020-03",
    )


def test_membership_at_the_edges_of_a_period():
    view = period_view(_edges(), Period.year(2019)).collect()
    kept = dict(zip(view["case_id"], view["end_date"], strict=True))
    assert set(kept) == {
        "starts-last-day",
        "ends-first-day",
        "ends-after",
        "ongoing",
        "new-and-ended",
    }
    # Ended after the period: ongoing at its end, its exit not known then.
    assert kept["ends-after"] is None
    row = view.filter(pl.col("case_id") == "ends-after")
    assert row["aid_end"].item() is None and row["exit_reason"].item() is None
    assert kept["ends-first-day"] == FIRST


def test_period_counts_from_the_catalogue_match_a_hand_count():
    frame = compute_metrics(period_view(_edges(), Period.year(2019)))
    assert _value(frame, "period_participants") == 5
    assert _value(frame, "period_new") == 2  # starts-last-day, new-and-ended
    assert _value(frame, "period_ended") == 2  # ends-first-day, new-and-ended
    assert _value(frame, "participants_ongoing") == 3
    assert frame["metric"].to_list() == list(PERIOD_METRICS)
    # Without a period the figures are the snapshot's, and the period's ids are not among them.
    assert compute_metrics(_edges())["metric"].to_list() == list(SNAPSHOT_METRICS)


def test_the_outcomes_of_a_period_cover_those_who_ended_in_it():
    rows = [
        *repeat(6, start_date=date(2018, 1, 1), end_date=date(2019, 4, 1), aid_end="inget"),
        *repeat(4, start_date=date(2018, 1, 1), end_date=date(2019, 5, 1), aid_end="helt"),
        # Ended self-sufficient, but after the period: not an outcome of 2019.
        *repeat(9, start_date=date(2018, 1, 1), end_date=date(2020, 1, 10), aid_end="inget"),
        # Ended before the period: not part of it at all.
        *repeat(7, start_date=date(2017, 1, 1), end_date=date(2018, 6, 1), aid_end="inget"),
    ]
    frame = compute_metrics(period_view(cases(rows, report_month="2020-02"), Period.year(2019)))
    assert _value(frame, "period_ended") == 10
    assert _value(frame, "period_participants") == 19
    share = frame.filter(pl.col("metric") == "outcome_self_sufficient").row(0, named=True)
    assert (share["numerator"], share["denominator"]) == (6, 10)
    median = frame.filter(pl.col("metric") == "median_days_in_project").row(0, named=True)
    assert median["denominator"] == 10


def test_a_snapshot_cannot_tell_what_happened_after_its_report_month():
    rows = [
        {"case_id": "a", "start_date": date(2019, 1, 10), "report_month": "2019-03"},
        {"case_id": "b", "start_date": date(2019, 5, 10), "report_month": "2019-03"},
        {"case_id": "c", "start_date": date(2018, 1, 1), "report_month": "2018-10"},
    ]
    view = period_view(cases(rows), Period.year(2019)).collect()
    # b starts after the snapshot was taken (an impossible row, but the period stops at
    # the report month); c's snapshot ends before the period begins.
    assert view["case_id"].to_list() == ["a"]


def test_a_selection_with_a_period_shows_the_period_of_each_projects_newest_month():
    older = cases(repeat(3, start_date=date(2019, 2, 1)), report_month="2019-06")
    newer = cases(
        [
            *repeat(3, start_date=date(2019, 2, 1), end_date=date(2019, 8, 1), aid_end="inget"),
            *repeat(2, start_date=date(2019, 9, 1)),
        ],
        report_month="2020-01",
    )
    snapshots = pl.concat([older, newer])
    selection = Selection.of(period=Period.half(2019, 1))
    frame = compute_metrics(select_cases(snapshots, selection))
    assert _value(frame, "period_participants") == 3
    assert _value(frame, "period_ended") == 0  # they ended in the second half
    second = compute_metrics(select_cases(snapshots, selection.with_period(Period.half(2019, 2))))
    assert (_value(second, "period_participants"), _value(second, "period_new")) == (5, 2)
    assert _value(second, "period_ended") == 3


def test_a_small_number_of_new_participants_is_hidden_like_any_count():
    rows = [*repeat(20, start_date=date(2017, 1, 1)), *repeat(3, start_date=date(2019, 3, 1))]
    frame = protected_metrics(period_view(cases(rows, report_month="2020-01"), Period.year(2019)))
    new = frame.filter(pl.col("metric") == "period_new").row(0, named=True)
    assert new["value"] is None and new["hidden_reason"] == "small"
    assert _value(frame, "period_participants") == 23


def test_a_period_figure_without_a_period_is_refused():
    with pytest.raises(ValueError, match="gäller en period"):
        compute_metrics(_edges(), ["period_new"])
    with pytest.raises(ValueError, match="gäller en period"):
        protected_metrics(_edges(), ["period_participants"])
