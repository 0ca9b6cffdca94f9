"""Properties that must hold for any input: consistency of counts and of suppression."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.schema import AID_END_CODES, EXIT_CODES, INCOME_CODES
from metrics import flows
from metrics.catalogue import CATALOGUE, PERIOD_METRICS, SNAPSHOT_METRICS, compute_metrics
from metrics.period import Period, period_view
from metrics.selection import latest_snapshot
from metrics.suppression import suppress_small_counts
from tests.metrics_factory import cases

maybe = st.none() | st.booleans()

row = st.fixed_dictionaries(
    {
        "municipality": st.sampled_from(["Sigtuna", "Sollentuna", "Knivsta"]),
        "district": st.none() | st.sampled_from(["Norr", "Söder"]),
        "gender": st.sampled_from(["K", "M", "X"]),
        "born_abroad": maybe,
        "months_on_aid": st.none() | st.integers(0, 600),
        "joint_plan": maybe,
        "sip_meetings": st.none() | st.integers(0, 5),
        "income_start": st.none() | st.sampled_from(INCOME_CODES),
        "active_start": maybe,
        "step_start": st.none() | st.integers(1, 6),
        "end_date": st.none() | st.integers(0, 900).map(lambda d: date(2024, 1, 1) + timedelta(d)),
        "income_end": st.none() | st.sampled_from(INCOME_CODES),
        "aid_end": st.none() | st.sampled_from(AID_END_CODES),
        "active_end": maybe,
        "step_end": st.none() | st.integers(1, 6),
        "exit_reason": st.none() | st.sampled_from(EXIT_CODES),
        "anonymous": st.booleans(),
    }
)
frames = st.lists(row, max_size=60).map(cases)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SUMMABLE = [m for m in SNAPSHOT_METRICS if CATALOGUE[m].kind in ("count", "share")]
PERIOD_SUMMABLE = [m for m in PERIOD_METRICS if CATALOGUE[m].kind in ("count", "share")]


@SETTINGS
@given(frames)
def test_numerators_never_exceed_denominators(frame):
    for by in ([], ["municipality"], ["district", "gender"]):
        out = compute_metrics(frame, by=by).filter(pl.col("denominator").is_not_null())
        assert (out["numerator"].fill_null(0) <= out["denominator"]).all()
        shares = out.filter(pl.col("value").is_not_null() & pl.col("ci_low").is_not_null())
        assert (shares["ci_low"] <= shares["value"]).all()
        assert (shares["value"] <= shares["ci_high"]).all()
        assert not out["value"].is_nan().any()


@SETTINGS
@given(frames, st.sampled_from(["municipality", "district", "gender"]), st.booleans())
def test_breakdown_adds_up_to_total(frame, unit, over_a_period):
    """At a report month, and over a period (2025: some end in it, some after it)."""
    metrics = SUMMABLE
    if over_a_period:
        frame, metrics = period_view(frame, Period.year(2025)).collect(), PERIOD_SUMMABLE
    total = compute_metrics(frame, metrics=metrics)
    parts = compute_metrics(frame, metrics=metrics, by=[unit])
    summed = parts.group_by("metric").agg(pl.col("numerator").sum(), pl.col("denominator").sum())
    expected = {r["metric"]: r for r in total.iter_rows(named=True)}
    for r in summed.iter_rows(named=True):
        if r["metric"] == "participants_anonymous":
            assert r["numerator"] == 0  # anonymous belong to no breakdown
            continue
        assert r["numerator"] == expected[r["metric"]]["numerator"], r["metric"]
        if CATALOGUE[r["metric"]].kind == "share":
            assert r["denominator"] == expected[r["metric"]]["denominator"], r["metric"]


@SETTINGS
@given(frames, st.sampled_from([["municipality"], ["municipality", "gender"], []]))
def test_suppression_never_leaves_a_small_count_visible(frame, by):
    out = suppress_small_counts(compute_metrics(frame, by=by), by=by)
    for column in ("numerator", "denominator"):
        assert not out[column].drop_nulls().is_between(1, 4).any()
    hidden = out.filter(pl.col("suppressed"))
    assert hidden["value"].is_null().all() and hidden["numerator"].is_null().all()
    # Never exactly one hidden cell in a breakdown with other cells to hide.
    if by:
        groups = ["metric", *by[:-1]]
        per_group = out.group_by(groups).agg(
            pl.col("suppressed").sum().alias("hidden"), pl.len().alias("cells")
        )
        assert per_group.filter((pl.col("hidden") == 1) & (pl.col("cells") > 1)).is_empty()


@SETTINGS
@given(frames)
def test_flows_add_up_to_ended_participations(frame):
    total = compute_metrics(frame, metrics=["participants_ended"])["numerator"][0]
    for flow in (flows.income_to_outcome, flows.step_to_step, flows.activity_to_activity):
        assert flow(frame)["count"].sum() == total
    assert flows.outcome_breakdown(frame)["count"].sum() == total
    both_known = compute_metrics(frame, metrics=["share_step_up"])["denominator"][0]
    assert flows.step_matrix(frame)["count"].sum() == both_known


snapshot_rows = st.lists(
    st.tuples(
        st.none() | st.sampled_from(["SAMRE", "Kaosam", "SAMS"]),
        st.none() | st.sampled_from(["2019-01", "2019-02", "2019-03"]),
    ),
    max_size=30,
)


@given(snapshot_rows)
@settings(max_examples=80, deadline=None)
def test_latest_snapshot_keeps_the_rows_of_each_projects_newest_month(rows) -> None:
    frame = pl.DataFrame(
        {
            "project": [p for p, _ in rows],
            "report_month": [m for _, m in rows],
            "row": list(range(len(rows))),
        },
        schema={"project": pl.String, "report_month": pl.String, "row": pl.Int64},
    )
    month = pl.col("report_month")
    newest = frame.filter(month == month.max().over("project"))

    kept = latest_snapshot(frame).collect()

    assert sorted(kept["row"]) == sorted(newest["row"])
