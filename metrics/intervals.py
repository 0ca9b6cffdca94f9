"""Uncertainty of shares: Wilson intervals and Spiegelhalter's binomial funnel limits."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl
from scipy.stats import binom

Z95 = 1.959964


def wilson_interval(
    numerator: pl.Expr, denominator: pl.Expr, z: float = Z95
) -> tuple[pl.Expr, pl.Expr]:
    """Wilson score interval of numerator/denominator as (low, high) expressions.

    Wilson rather than the normal approximation because it stays inside 0..1 and keeps
    sensible coverage at the small counts this product sees. Null when the denominator is 0.
    """
    n = denominator.cast(pl.Float64)
    p = numerator.cast(pl.Float64) / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = (z / (1 + z2 / n)) * (p * (1 - p) / n + z2 / (4 * n * n)).sqrt()
    known = denominator > 0
    # At 0 and at n the bounds are exactly 0 and 1; floating point would miss them slightly.
    low = pl.when(known).then(
        pl.when(numerator <= 0).then(0.0).otherwise((centre - half).clip(0.0, 1.0))
    )
    high = pl.when(known).then(
        pl.when(numerator >= denominator).then(1.0).otherwise((centre + half).clip(0.0, 1.0))
    )
    return low, high


def level_suffix(level: float) -> str:
    """Column suffix of a confidence level: 0.95 -> "95", 0.998 -> "998"."""
    return f"{level:.6f}".rstrip("0").split(".")[1]


def _binomial_limit(p0: float, n: np.ndarray, prob: float) -> np.ndarray:
    """Spiegelhalter (2005) limit: binomial quantile, interpolated between integers."""
    if p0 <= 0.0 or p0 >= 1.0:
        # No variation is possible around a share of 0 or 1; the limits collapse onto it.
        return np.where(n > 0, min(max(p0, 0.0), 1.0), np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = binom.ppf(prob, n, p0)
        f_r = binom.cdf(r, n, p0)
        f_below = binom.cdf(r - 1, n, p0)
        step = f_r - f_below
        alpha = np.where(step > 0, (f_r - prob) / np.where(step > 0, step, 1.0), 0.0)
        limit = (r - alpha) / n
    return np.clip(np.where(n > 0, limit, np.nan), 0.0, 1.0)


def funnel_limits(
    p0: float,
    n: pl.Series | Sequence[int],
    levels: Sequence[float] = (0.95, 0.998),
) -> pl.DataFrame:
    """Funnel-plot control limits around the pooled share ``p0`` for each unit size ``n``.

    Exact binomial limits, because the normal approximation is poor at small n. Columns:
    ``n`` and ``lo<level>``/``hi<level>`` (``lo95, hi95, lo998, hi998`` by default); null
    where n is 0 or missing.
    """
    n_series = pl.Series("n", n, dtype=pl.Int64) if not isinstance(n, pl.Series) else n
    n_series = n_series.cast(pl.Int64).alias("n")
    n_values = n_series.fill_null(0).to_numpy().astype(float)
    columns: dict[str, pl.Series] = {"n": n_series}
    for level in levels:
        tail = (1.0 - level) / 2.0
        suffix = level_suffix(level)
        for name, prob in ((f"lo{suffix}", tail), (f"hi{suffix}", 1.0 - tail)):
            values = _binomial_limit(p0, n_values, prob)
            columns[name] = pl.Series(name, values, dtype=pl.Float64, nan_to_null=True)
    return pl.DataFrame(columns)
