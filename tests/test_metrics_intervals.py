"""Wilson intervals and Spiegelhalter funnel limits against independent computations."""

from __future__ import annotations

import math

import polars as pl
import pytest
from scipy.stats import binom

from metrics.intervals import funnel_limits, wilson_interval


def wilson_by_formula(x: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    p = x / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return centre - half, centre + half


def spiegelhalter_by_loop(p0: float, n: int, prob: float) -> float:
    r = binom.ppf(prob, n, p0)
    f_r = binom.cdf(r, n, p0)
    f_below = binom.cdf(r - 1, n, p0)
    alpha = (f_r - prob) / (f_r - f_below)
    return min(max((r - alpha) / n, 0.0), 1.0)


CASES = [(0, 1), (1, 1), (0, 10), (3, 10), (10, 10), (5, 44), (115, 279), (1, 1000)]


@pytest.mark.parametrize(("x", "n"), CASES)
def test_wilson_matches_formula(x, n):
    low, high = wilson_interval(pl.col("x"), pl.col("n"))
    got = pl.DataFrame({"x": [x], "n": [n]}).select(low.alias("lo"), high.alias("hi")).row(0)
    expected = wilson_by_formula(x, n)
    assert got == pytest.approx(expected, abs=1e-12)
    assert 0.0 <= got[0] <= x / n <= got[1] <= 1.0


def test_wilson_is_null_for_empty_denominator_and_respects_z():
    frame = pl.DataFrame({"x": [0, 5], "n": [0, 20]})
    low, high = wilson_interval(pl.col("x"), pl.col("n"))
    low99, high99 = wilson_interval(pl.col("x"), pl.col("n"), z=2.5758)
    out = frame.select(low, high.alias("hi"), low99.alias("lo99"), high99.alias("hi99"))
    assert out.row(0) == (None, None, None, None)
    lo, hi, lo99, hi99 = out.row(1)
    assert lo99 < lo and hi99 > hi


@pytest.mark.parametrize("p0", [0.05, 0.3, 0.5, 0.82])
def test_funnel_limits_match_spiegelhalter(p0):
    sizes = [1, 2, 5, 13, 44, 175, 1000]
    got = funnel_limits(p0, sizes)
    assert got.columns == ["n", "lo95", "hi95", "lo998", "hi998"]
    assert got["n"].to_list() == sizes
    for row in got.iter_rows(named=True):
        n = row["n"]
        assert row["lo95"] == pytest.approx(spiegelhalter_by_loop(p0, n, 0.025), abs=1e-12)
        assert row["hi95"] == pytest.approx(spiegelhalter_by_loop(p0, n, 0.975), abs=1e-12)
        assert row["lo998"] == pytest.approx(spiegelhalter_by_loop(p0, n, 0.001), abs=1e-12)
        assert row["hi998"] == pytest.approx(spiegelhalter_by_loop(p0, n, 0.999), abs=1e-12)
        assert row["lo998"] <= row["lo95"] <= p0 <= row["hi95"] <= row["hi998"]


def test_funnel_limits_narrow_with_n_and_approach_normal():
    p0 = 0.3
    got = funnel_limits(p0, pl.Series([100, 10_000]))
    widths = (got["hi95"] - got["lo95"]).to_list()
    assert widths[1] < widths[0]
    normal_half = 1.959964 * math.sqrt(p0 * (1 - p0) / 10_000)
    assert got["hi95"][1] == pytest.approx(p0 + normal_half, abs=5e-4)


def test_funnel_limits_edge_cases():
    got = funnel_limits(0.4, [0, None])
    assert got.select("lo95", "hi998").rows() == [(None, None), (None, None)]
    assert funnel_limits(1.0, [5])["lo998"][0] == 1.0
    assert funnel_limits(0.0, [5])["hi998"][0] == 0.0
    custom = funnel_limits(0.3, [50], levels=(0.9,))
    assert custom.columns == ["n", "lo9", "hi9"]
