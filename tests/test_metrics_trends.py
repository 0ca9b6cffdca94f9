"""Current snapshot, filters, trends over report months and month-to-month changes."""

from __future__ import annotations

from datetime import date

import polars as pl

from metrics.selection import Selection, apply_filters, latest_snapshot
from metrics.trends import changes_since_last_month
from tests.metrics_factory import cases, ended, repeat


def snapshots() -> pl.DataFrame:
    """SAMRE reports January and February, Kaosam only January."""
    january = [
        {"case_id": "a", "report_month": "2024-01"},
        {"case_id": "b", "report_month": "2024-01"},
        ended(case_id="c", report_month="2024-01", aid_end="inget"),
        {"case_id": "e", "report_month": "2024-01"},
    ]
    february = [
        ended(case_id="a", report_month="2024-02", aid_end="inget"),  # ended since
        {"case_id": "b", "report_month": "2024-02"},
        ended(case_id="c", report_month="2024-02", aid_end="helt"),  # corrected
        {"case_id": "d", "report_month": "2024-02"},  # new
        {"case_id": "f", "report_month": "2024-02", "anonymous": True},  # not counted
    ]
    kaosam = [{"case_id": "k", "project": "Kaosam", "report_month": "2024-01"}] * 1
    return cases(january + february + kaosam)


def test_latest_snapshot_is_per_project():
    latest = latest_snapshot(snapshots()).collect()
    months = dict(latest.group_by("project").agg(pl.col("report_month").unique()).iter_rows())
    assert months == {"SAMRE": ["2024-02"], "Kaosam": ["2024-01"]}
    assert latest.height == 6
    plain = cases([{}])
    assert latest_snapshot(plain).collect().equals(plain)


def test_apply_filters():
    frame = cases(
        [
            {"municipality": "Sigtuna", "gender": "K", "age_group": "25-34"},
            {"municipality": "Sollentuna", "gender": "M", "start_date": date(2023, 5, 1)},
            {"municipality": "Sigtuna", "gender": "M", "project": "Kaosam"},
        ]
    )

    def count(**filters) -> int:
        return apply_filters(frame, Selection.of(**filters)).collect().height

    assert count() == 3
    assert count(municipality=["Sigtuna"]) == 2
    assert count(municipality=["Sigtuna"], gender=["M"]) == 1
    assert count(project=["Kaosam"]) == 1
    assert count(age_group=["25-34"]) == 1
    assert count(start_from=date(2024, 1, 1)) == 2
    assert count(start_to=date(2023, 12, 31)) == 1
    assert count(start_from=date(2024, 1, 1), start_to=date(2024, 1, 1)) == 2
    assert count(gender=[]) == 0


def test_changes_since_last_month():
    assert changes_since_last_month(snapshots()) == {
        "current_month": "2024-02",
        "previous_month": "2024-01",
        "new": 1,
        "ended": 1,
        "changed_outcome": 1,
    }


def test_changes_with_a_single_month_are_empty():
    only = cases(repeat(3, report_month="2024-01"))
    assert changes_since_last_month(only) == {
        "current_month": None,
        "previous_month": None,
        "new": 0,
        "ended": 0,
        "changed_outcome": 0,
    }


def test_changes_ignore_mistakes():
    frame = cases(
        [
            {"case_id": "a", "report_month": "2024-01"},
            {"case_id": "a", "report_month": "2024-02"},
            {"case_id": "z", "report_month": "2024-02", "exit_reason": "felregistrering"},
        ]
    )
    assert changes_since_last_month(frame)["new"] == 0
