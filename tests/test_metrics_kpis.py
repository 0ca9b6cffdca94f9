"""KPI records and CSV: what the command line prints."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import polars as pl

from metrics.catalogue import compute_metrics
from metrics.kpis import kpi_csv, kpi_records
from metrics.suppression import suppress_small_counts
from tests.metrics_factory import cases, ended, repeat


def sample() -> pl.DataFrame:
    return cases(
        repeat(
            39,
            municipality="Sigtuna",
            active_start=False,
            active_end=False,
            end_date=date(2024, 5, 1),
        )
        + repeat(
            5,
            municipality="Sigtuna",
            active_start=False,
            active_end=True,
            end_date=date(2024, 5, 1),
        )
        + repeat(2, municipality="Knivsta", born_abroad=True)
        + [ended(municipality="Knivsta", born_abroad=False)] * 20
    )


def test_records_by_municipality():
    by = ["municipality"]
    frame = suppress_small_counts(compute_metrics(sample(), by=by), by=by)
    records = kpi_records(frame, by)
    json.dumps(records)  # JSON-ready
    lookup = {(r["group"]["kommun"], r["metric"]): r for r in records}
    active = lookup[("Sigtuna", "share_active_end")]
    assert active == {
        "group": {"kommun": "Sigtuna"},
        "metric": "share_active_end",
        "value": round(5 / 44, 4),
        "numerator": 5,
        "denominator": 44,
        "ci_low": active["ci_low"],
        "ci_high": active["ci_high"],
        "suppressed": False,
        "hidden_reason": None,
    }
    assert active["ci_low"] == round(active["ci_low"], 4) and active["ci_low"] < 0.1136
    count = lookup[("Sigtuna", "participants")]
    assert (count["value"], count["numerator"], count["denominator"]) == (44, 44, None)
    hidden = lookup[("Knivsta", "share_born_abroad")]  # 2 of 22
    assert hidden["suppressed"] is True
    assert hidden["value"] is None and hidden["numerator"] is None and hidden["ci_low"] is None


def test_total_has_empty_group_and_booleans_are_swedish():
    total = kpi_records(compute_metrics(sample(), metrics=["participants"]), [])
    assert total == [
        {
            "group": {},
            "metric": "participants",
            "value": 66.0,
            "numerator": 66,
            "denominator": None,
            "ci_low": None,
            "ci_high": None,
            "suppressed": False,
            "hidden_reason": None,
        }
    ]
    by_abroad = kpi_records(
        compute_metrics(sample(), ["participants"], by=["born_abroad"]), ["born_abroad"]
    )
    assert {r["group"]["utrikes_fodd"] for r in by_abroad} == {"Ja", "Nej", None}


def test_csv_has_the_same_content():
    by = ["municipality"]
    frame = suppress_small_counts(compute_metrics(sample(), by=by), by=by)
    rows = list(csv.DictReader(io.StringIO(kpi_csv(frame, by))))
    records = kpi_records(frame, by)
    assert len(rows) == len(records)
    assert list(rows[0]) == [
        "kommun",
        "metric",
        "value",
        "numerator",
        "denominator",
        "ci_low",
        "ci_high",
        "suppressed",
        "hidden_reason",
    ]
    for row, record in zip(rows, records, strict=True):
        assert row["kommun"] == record["group"]["kommun"]
        assert row["metric"] == record["metric"]
        assert row["value"] == ("" if record["value"] is None else str(record["value"]))
        assert row["suppressed"] == ("true" if record["suppressed"] else "false")
        assert row["hidden_reason"] == (record["hidden_reason"] or "")
