"""A unit differs from the overall value only when its interval says so."""

import polars as pl

from metrics.standing import standing_against_overall


def test_standing_uses_the_interval_not_the_point():
    by_unit = pl.DataFrame(
        {
            "municipality": ["A", "B", "C", "D"],
            "metric": ["share_x", "share_x", "share_x", "participants"],
            "value": [0.8, 0.45, 0.1, 40.0],
            "ci_low": [0.6, 0.2, 0.02, None],
            "ci_high": [0.9, 0.7, 0.25, None],
        }
    )
    overall = pl.DataFrame({"metric": ["share_x", "participants"], "value": [0.4, 100.0]})
    got = standing_against_overall(by_unit, overall)
    assert got["standing"].to_list() == ["above", "within", "below", None]
    assert got["overall"].to_list() == [0.4, 0.4, 0.4, 100.0]
