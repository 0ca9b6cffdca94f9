"""Small-count suppression: primary and secondary rule, zero, threshold."""

from __future__ import annotations

import polars as pl

from metrics.catalogue import compute_metrics
from metrics.suppression import suppress_small_counts
from tests.metrics_factory import cases, ended, repeat


def count_frame(values: dict[str, int], metric: str = "participants") -> pl.DataFrame:
    return pl.DataFrame(
        {
            "municipality": list(values),
            "metric": [metric] * len(values),
            "value": [float(v) for v in values.values()],
            "numerator": list(values.values()),
            "denominator": [None] * len(values),
            "ci_low": [None] * len(values),
            "ci_high": [None] * len(values),
            "suppressed": [False] * len(values),
        },
        schema_overrides={"denominator": pl.Int64, "ci_low": pl.Float64, "ci_high": pl.Float64},
    )


def hidden(frame: pl.DataFrame) -> set[str]:
    return set(frame.filter(pl.col("suppressed"))["municipality"])


def test_primary_and_secondary():
    out = suppress_small_counts(
        count_frame({"A": 3, "B": 12, "C": 7, "D": 40}), by=["municipality"]
    )
    # A is small; C (next smallest) goes too, so A cannot be worked out from the total.
    assert hidden(out) == {"A", "C"}
    gone = out.filter(pl.col("suppressed"))
    assert gone["value"].is_null().all() and gone["numerator"].is_null().all()
    kept = out.filter(~pl.col("suppressed"))
    assert kept["numerator"].to_list() == [12, 40]


def test_two_small_cells_need_no_secondary():
    out = suppress_small_counts(count_frame({"A": 1, "B": 4, "C": 9}), by=["municipality"])
    assert hidden(out) == {"A", "B"}


def test_zero_is_shown_and_chosen_last_as_second_cell():
    out = suppress_small_counts(count_frame({"A": 2, "B": 0, "C": 30}), by=["municipality"])
    assert hidden(out) == {"A", "C"}
    only_zero = suppress_small_counts(count_frame({"A": 2, "B": 0}), by=["municipality"])
    assert hidden(only_zero) == {"A", "B"}
    assert (
        suppress_small_counts(count_frame({"A": 0, "B": 9})).filter(pl.col("suppressed")).is_empty()
    )


def test_threshold_is_a_setting_and_zero_turns_it_off():
    frame = count_frame({"A": 3, "B": 6, "C": 20})
    assert hidden(suppress_small_counts(frame, threshold=0, by=["municipality"])) == set()
    assert hidden(suppress_small_counts(frame, threshold=10, by=["municipality"])) == {"A", "B"}
    assert suppress_small_counts(frame, threshold=0).equals(frame)


def test_secondary_rule_works_within_each_breakdown():
    frame = pl.concat(
        [
            count_frame({"A": 3, "B": 8, "C": 50}).with_columns(report_month=pl.lit("2024-01")),
            count_frame({"A": 20, "B": 8, "C": 50}).with_columns(report_month=pl.lit("2024-02")),
        ]
    )
    out = suppress_small_counts(frame, by=["report_month", "municipality"])
    january = out.filter(pl.col("report_month") == "2024-01")
    february = out.filter(pl.col("report_month") == "2024-02")
    assert hidden(january) == {"A", "B"}
    assert hidden(february) == set()


def test_shares_hide_small_numerators_and_small_denominators():
    frame = cases(
        [ended(municipality="A", aid_end="inget")] * 2
        + [ended(municipality="A", aid_end="helt")] * 8
        + [ended(municipality="B", aid_end="inget")] * 3
        + [ended(municipality="C", aid_end="inget")] * 20
        + [ended(municipality="C", aid_end="helt")] * 20
        + repeat(7, municipality="D")
    )
    metrics = compute_metrics(frame, metrics=["outcome_self_sufficient"], by=["municipality"])
    out = suppress_small_counts(metrics, by=["municipality"])
    rows = {r["municipality"]: r for r in out.iter_rows(named=True)}
    # A: numerator 2 (denominator 10 stays); B: denominator 3 is itself hidden.
    assert rows["A"]["suppressed"] and rows["A"]["denominator"] == 10
    assert rows["B"]["suppressed"] and rows["B"]["denominator"] is None
    assert rows["A"]["ci_low"] is None and rows["B"]["value"] is None
    assert not rows["C"]["suppressed"] and rows["C"]["value"] == 0.5
    # D has no ended participations: 0 of 0 is not a small count.
    assert not rows["D"]["suppressed"] and rows["D"]["denominator"] == 0


def test_medians_over_few_values_are_hidden():
    frame = cases(
        repeat(3, months_on_aid=12)
        + repeat(9, municipality="B", months_on_aid=4)
        + repeat(20, municipality="C", months_on_aid=7)
    )
    metrics = compute_metrics(frame, metrics=["median_months_on_aid"], by=["municipality"])
    out = suppress_small_counts(metrics, by=["municipality"])
    rows = {r["municipality"]: r for r in out.iter_rows(named=True)}
    # Sigtuna's median is over 3 values; B is hidden as the second cell, C stays.
    assert rows["Sigtuna"]["suppressed"] and rows["Sigtuna"]["value"] is None
    assert rows["Sigtuna"]["denominator"] is None
    assert rows["B"]["suppressed"] and rows["B"]["value"] is None
    assert rows["B"]["denominator"] is None  # else Sigtuna's 3 follows from the total
    assert not rows["C"]["suppressed"] and rows["C"]["value"] == 7.0


def test_no_small_count_survives_on_catalogue_breakdown():
    frame = cases(
        repeat(3, municipality="A", gender="M")
        + [ended(municipality="B", gender="K", aid_end="inget")] * 12
        + repeat(30, municipality="C", gender="K")
    )
    out = suppress_small_counts(compute_metrics(frame, by=["municipality"]), by=["municipality"])
    for column in ("numerator", "denominator"):
        visible = out[column].drop_nulls()
        assert not visible.is_between(1, 4).any(), column


def test_ongoing_and_ended_are_hidden_together_when_one_is_small():
    from metrics.suppression import suppress_linked_counts

    frame = pl.DataFrame(
        {
            "municipality": ["A", "A", "A", "B", "B", "B"],
            "metric": ["participants", "participants_ongoing", "participants_ended"] * 2,
            "value": [49.0, 48.0, 1.0, 30.0, 20.0, 10.0],
            "numerator": [49, 48, 1, 30, 20, 10],
            "denominator": [None] * 6,
        },
        schema_overrides={"denominator": pl.Int64},
    )
    hidden = suppress_linked_counts(
        suppress_small_counts(frame, by=["municipality"]), by=["municipality"]
    )
    a = hidden.filter(pl.col("municipality") == "A")
    shown = dict(zip(a["metric"], a["numerator"], strict=True))
    assert shown == {"participants": 49, "participants_ongoing": None, "participants_ended": None}
    # B's ended is hidden by the secondary rule (A's ended is alone), so B's ongoing goes too
    b = hidden.filter(pl.col("municipality") == "B")
    assert b["numerator"].to_list() == [30, None, None]

    untouched = frame.filter(pl.col("municipality") == "B")
    assert suppress_linked_counts(
        suppress_small_counts(untouched, by=["municipality"]), by=["municipality"]
    )["numerator"].to_list() == [30, 20, 10]
