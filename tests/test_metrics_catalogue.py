"""The metric catalogue: definitions, hand-counted values, anonymous and felregistrering rows."""

from __future__ import annotations

import math
from datetime import date

import polars as pl
import pytest

from ingest.schema import BREAKDOWN_FIELDS
from metrics.catalogue import (
    CATALOGUE,
    RESULT_SCHEMA,
    SNAPSHOT_METRICS,
    Metric,
    compute_metrics,
    count_flags,
    metric_counts,
)
from tests.metrics_factory import START, cases, ended

PERIOD_IDS = {"period_participants", "period_new", "period_ended"}
DOMAIN_METRICS = {
    "participants",
    "participants_anonymous",
    "participants_ongoing",
    "participants_ended",
    "share_women",
    "share_born_abroad",
    "median_months_on_aid",
    "median_days_in_project",
    "share_joint_plan",
    "share_with_sip",
    "share_active_start",
    "share_active_end",
    "activity_change_pp",
    "share_step_up",
    "outcome_self_sufficient",
    "outcome_sick_compensation",
    "outcome_continued_aid",
    "outcome_unknown",
    "share_exit_work_or_studies",
}


def by_metric(frame: pl.DataFrame) -> dict[str, dict]:
    return {r["metric"]: r for r in frame.iter_rows(named=True)}


def sample() -> pl.DataFrame:
    """Six counted participations in two municipalities, plus one anonymous and one mistake."""
    return cases(
        [
            # Sigtuna: 3 participants, 2 ended
            ended(
                gender="K",
                born_abroad=True,
                months_on_aid=10,
                joint_plan=True,
                sip_meetings=2,
                active_start=False,
                active_end=True,
                step_start=1,
                step_end=4,
                aid_end="inget",
                income_end="lon",
                end_date=date(2024, 1, 31),
            ),
            ended(
                gender="M",
                born_abroad=False,
                months_on_aid=20,
                joint_plan=True,
                sip_meetings=0,
                active_start=True,
                active_end=True,
                step_start=3,
                step_end=3,
                income_end="sjukersattning",
                aid_end="delvis",
                end_date=date(2024, 3, 1),
            ),
            {"gender": "K", "months_on_aid": 30, "joint_plan": False, "active_start": True},
            # Sollentuna: 3 participants, 2 ended
            ended(
                municipality="Sollentuna",
                gender="K",
                born_abroad=True,
                joint_plan=True,
                active_start=False,
                active_end=False,
                step_start=2,
                aid_end="helt",
                end_date=date(2024, 1, 11),
            ),
            ended(municipality="Sollentuna", gender="X", active_start=False, end_date=START),
            {"municipality": "Sollentuna", "gender": "M", "sip_meetings": 1},
            # counted only as anonymous in the total
            {"municipality": "Sollentuna", "anonymous": True, "gender": "K"},
            # excluded from everything
            ended(exit_reason="felregistrering", aid_end="inget", gender="K"),
            {"exit_reason": "felregistrering", "anonymous": True},
        ]
    )


def test_catalogue_has_every_domain_metric_with_swedish_texts():
    assert set(SNAPSHOT_METRICS) == DOMAIN_METRICS
    assert {m for m in CATALOGUE if CATALOGUE[m].period} == PERIOD_IDS
    for metric in CATALOGUE.values():
        assert metric.label and metric.definition.endswith(".")
        assert metric.kind in {"count", "share", "median", "difference"}
        if metric.kind == "share":
            assert metric.numerator and metric.denominator
    assert CATALOGUE["share_women"].label == "Andel kvinnor"


def test_total_hand_counted():
    m = by_metric(compute_metrics(sample()))
    assert list(m) == list(SNAPSHOT_METRICS)
    counts = {k: m[k]["numerator"] for k in SNAPSHOT_METRICS if CATALOGUE[k].kind == "count"}
    assert counts == {
        "participants": 6,
        "participants_anonymous": 1,
        "participants_ongoing": 2,
        "participants_ended": 4,
    }
    assert all(m[k]["value"] == m[k]["numerator"] and m[k]["denominator"] is None for k in counts)
    shares = {
        k: (m[k]["numerator"], m[k]["denominator"])
        for k in CATALOGUE
        if CATALOGUE[k].kind == "share"
    }
    assert shares == {
        "share_women": (3, 6),
        "share_born_abroad": (2, 3),
        "share_joint_plan": (3, 4),
        "share_with_sip": (2, 3),
        "share_active_start": (1, 3),
        "share_active_end": (2, 3),
        "share_step_up": (1, 2),
        "outcome_self_sufficient": (1, 4),
        "outcome_sick_compensation": (1, 4),
        "outcome_continued_aid": (1, 4),
        "outcome_unknown": (1, 4),
        "share_exit_work_or_studies": (1, 4),
    }
    for k, (num, den) in shares.items():
        assert m[k]["value"] == pytest.approx(num / den)
        assert m[k]["ci_low"] <= m[k]["value"] <= m[k]["ci_high"]
    assert (m["median_months_on_aid"]["value"], m["median_months_on_aid"]["denominator"]) == (
        20.0,
        3,
    )
    # days: 30, 60, 10, 0 -> median 20
    assert (m["median_days_in_project"]["value"], m["median_days_in_project"]["denominator"]) == (
        20.0,
        4,
    )
    assert m["median_days_in_project"]["numerator"] is None
    change = m["activity_change_pp"]
    assert change["value"] == pytest.approx((2 / 3 - 1 / 3) * 100)
    assert change["denominator"] == 3
    assert change["ci_low"] is None and change["numerator"] is None
    assert not any(r["suppressed"] for r in m.values())


#: Every catalogue metric on ``sample()``, counted by hand: (value, numerator, denominator).
#: A metric added to the catalogue must be added here, with its own hand count.
HAND_COUNTS: dict[str, tuple[float | None, int | None, int | None]] = {
    "participants": (6, 6, None),
    "participants_anonymous": (1, 1, None),
    "participants_ongoing": (2, 2, None),
    "participants_ended": (4, 4, None),
    # K, M, K | K, X, M; the mistake and the anonymous row do not count
    "share_women": (3 / 6, 3, 6),
    # born abroad known for three: yes, no, yes
    "share_born_abroad": (2 / 3, 2, 3),
    # months on aid 10, 20, 30
    "median_months_on_aid": (20.0, None, 3),
    # ended after 30, 60, 10 and 0 days
    "median_days_in_project": (20.0, None, 4),
    "share_joint_plan": (3 / 4, 3, 4),
    # SIP meetings known 2, 0, 1
    "share_with_sip": (2 / 3, 2, 3),
    # ended with activity known at both ends: (no, yes), (yes, yes), (no, no)
    "share_active_start": (1 / 3, 1, 3),
    "share_active_end": (2 / 3, 2, 3),
    "activity_change_pp": ((2 / 3 - 1 / 3) * 100, None, 3),
    # ended with both steps known: 1 -> 4, 3 -> 3
    "share_step_up": (1 / 2, 1, 2),
    # four ended: to work, to sickness compensation, on aid, nothing known
    "outcome_self_sufficient": (1 / 4, 1, 4),
    "outcome_sick_compensation": (1 / 4, 1, 4),
    "outcome_continued_aid": (1 / 4, 1, 4),
    "outcome_unknown": (1 / 4, 1, 4),
    "share_exit_work_or_studies": (1 / 4, 1, 4),
}


def test_every_catalogue_metric_matches_its_hand_count():
    assert list(HAND_COUNTS) == list(SNAPSHOT_METRICS)
    for metric_id in SNAPSHOT_METRICS:
        row = by_metric(compute_metrics(sample(), metrics=[metric_id]))[metric_id]
        value, numerator, denominator = HAND_COUNTS[metric_id]
        assert row["value"] == pytest.approx(value), metric_id
        assert (row["numerator"], row["denominator"]) == (numerator, denominator), metric_id


def test_every_metric_rests_on_counts_the_catalogue_computes():
    computed = {*count_flags(), "_anonymous"}
    for metric_id in CATALOGUE:
        numerator, denominator, counts = metric_counts(metric_id)
        assert set(counts) <= computed, metric_id
        assert {numerator, denominator} - {None} <= set(counts), metric_id


@pytest.mark.parametrize(
    "parts",
    [
        {},
        {"count": "_person"},
        {"share": ("_women", "_gender_known"), "count": "_person"},
        {"median": "months_on_aid"},
    ],
)
def test_a_metric_without_exactly_the_part_of_its_kind_is_refused(parts) -> None:
    with pytest.raises(ValueError, match="share="):
        Metric(id="share_x", label="X", definition="X.", kind="share", unit="andel", **parts)


def test_breakdown_leaves_out_anonymous_and_mistakes():
    frame = compute_metrics(sample(), by=["municipality"])
    assert frame.columns == ["municipality", *RESULT_SCHEMA]
    assert dict(frame.schema) == {"municipality": pl.String(), **RESULT_SCHEMA}
    rows = {(r["municipality"], r["metric"]): r for r in frame.iter_rows(named=True)}
    assert rows[("Sigtuna", "participants")]["numerator"] == 3
    assert rows[("Sollentuna", "participants")]["numerator"] == 3
    # Anonymous participants belong to no breakdown but their insats: no number here.
    assert rows[("Sollentuna", "participants_anonymous")]["numerator"] is None
    assert rows[("Sollentuna", "share_women")]["numerator"] == 1
    assert rows[("Sigtuna", "outcome_sick_compensation")]["numerator"] == 1
    assert rows[("Sollentuna", "outcome_unknown")]["numerator"] == 1
    assert rows[("Sigtuna", "share_active_start")]["denominator"] == 2
    assert rows[("Sollentuna", "share_active_start")]["denominator"] == 1
    # Each group has every metric, in catalogue order.
    for name in ("Sigtuna", "Sollentuna"):
        assert frame.filter(pl.col("municipality") == name)["metric"].to_list() == list(
            SNAPSHOT_METRICS
        )


def test_empty_denominator_gives_null_not_zero():
    frame = compute_metrics(cases([{"municipality": "Knivsta"}, ended()]), by=["municipality"])
    knivsta = by_metric(frame.filter(pl.col("municipality") == "Knivsta"))
    for metric in ("outcome_self_sufficient", "share_step_up", "activity_change_pp"):
        assert knivsta[metric]["denominator"] == 0
        assert knivsta[metric]["value"] is None
        assert knivsta[metric]["ci_low"] is None
    assert knivsta["median_days_in_project"]["value"] is None
    assert knivsta["participants_ended"]["value"] == 0.0
    assert not any(v is not None and math.isnan(v) for v in frame["value"].to_list())


def test_combined_breakdown_and_selected_metrics():
    frame = compute_metrics(
        sample(), metrics=["participants", "share_women"], by=["municipality", "gender"]
    )
    assert set(frame["metric"]) == {"participants", "share_women"}
    sigtuna_women = frame.filter((pl.col("municipality") == "Sigtuna") & (pl.col("gender") == "K"))
    assert sigtuna_women["numerator"].to_list() == [2, 2]
    assert frame.filter(pl.col("metric") == "participants")["numerator"].sum() == 6


def test_every_breakdown_field_is_accepted():
    frame = sample().with_columns(report_month=pl.lit("2024-06"))
    for field in BREAKDOWN_FIELDS.values():
        result = compute_metrics(frame, metrics=["participants"], by=[field])
        assert result["numerator"].sum() == 6, field


def test_lazy_and_eager_input_agree():
    eager = compute_metrics(sample(), by=["gender"])
    lazy = compute_metrics(sample().lazy(), by=["gender"])
    assert eager.equals(lazy)


def test_unknown_metric_or_breakdown_is_refused():
    with pytest.raises(ValueError, match="Okänt mått"):
        compute_metrics(sample(), metrics=["share_nonsense"])
    with pytest.raises(ValueError, match="dela upp"):
        compute_metrics(sample(), by=["case_id"])


def test_empty_input_gives_zero_counts():
    m = by_metric(compute_metrics(cases([])))
    assert m["participants"]["numerator"] == 0
    assert m["outcome_unknown"]["value"] is None
