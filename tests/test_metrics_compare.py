"""Comparing municipalities: pooled share, funnel limits at each unit's n, flags."""

from __future__ import annotations

import polars as pl
import pytest
from scipy.stats import binom

from metrics.compare import compare_units, funnel_curve
from tests.metrics_factory import cases, ended


def outcomes(municipality: str, self_sufficient: int, other: int) -> list[dict]:
    return [ended(municipality=municipality, aid_end="inget")] * self_sufficient + [
        ended(municipality=municipality, aid_end="helt")
    ] * other


def test_compare_units_flags_outliers_only():
    frame = cases(
        outcomes("Sigtuna", 10, 90)
        + outcomes("Sollentuna", 50, 50)
        + outcomes("Upplands Väsby", 90, 10)
        + outcomes("Knivsta", 3, 4)
    )
    out = compare_units(frame, "outcome_self_sufficient")
    assert out.columns[:12] == [
        "unit",
        "numerator",
        "denominator",
        "value",
        "ci_low",
        "ci_high",
        "overall",
        "lo95",
        "hi95",
        "lo998",
        "hi998",
        "flag",
    ]
    rows = {r["unit"]: r for r in out.iter_rows(named=True)}
    overall = (10 + 50 + 90 + 3) / 307
    assert all(r["overall"] == pytest.approx(overall) for r in rows.values())
    assert rows["Sigtuna"]["flag"] == "below"
    assert rows["Upplands Väsby"]["flag"] == "above"
    assert rows["Sollentuna"]["flag"] == "within"
    assert rows["Knivsta"]["flag"] == "within"
    # The limits are those of Bin(n, overall) at each unit's own n.
    knivsta = rows["Knivsta"]
    assert knivsta["denominator"] == 7
    r = binom.ppf(0.999, 7, overall)
    f_r, f_below = binom.cdf(r, 7, overall), binom.cdf(r - 1, 7, overall)
    assert knivsta["hi998"] == pytest.approx((r - (f_r - 0.999) / (f_r - f_below)) / 7)
    assert knivsta["lo998"] < knivsta["lo95"] < overall < knivsta["hi95"] < knivsta["hi998"]


def test_compare_units_by_other_unit_and_only_for_shares():
    frame = cases(outcomes("Sigtuna", 4, 6), gender="M")
    out = compare_units(frame, "outcome_self_sufficient", unit="gender")
    assert out["unit"].to_list() == ["M"]
    assert out["flag"].to_list() == ["within"]
    with pytest.raises(ValueError):
        compare_units(frame, "participants")
    with pytest.raises(ValueError):
        compare_units(frame, "median_days_in_project")


def test_compare_units_without_denominators_has_no_flag():
    out = compare_units(cases([{}, {"municipality": "Knivsta"}]), "outcome_unknown")
    assert out["flag"].is_null().all()
    assert out["overall"].is_null().all()


def test_funnel_curve_spans_sizes_and_narrows():
    curve = funnel_curve(0.3, 500, points=50)
    assert curve.columns == ["n", "overall", "lo95", "hi95", "lo998", "hi998"]
    assert curve["n"][0] == 1 and curve["n"][-1] == 500
    assert curve["n"].is_sorted() and curve["n"].n_unique() == curve.height
    width = (curve["hi998"] - curve["lo998"]).to_list()
    assert width[-1] < width[len(width) // 2] < width[0]
    assert funnel_curve(0.3, 0).is_empty()
    assert (curve["overall"] == 0.3).all()
    assert curve.filter(pl.col("lo95") > pl.col("hi95")).is_empty()
