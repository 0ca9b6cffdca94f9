"""Comparing units honestly: each unit's share against the pooled share and funnel limits."""

from __future__ import annotations

import numpy as np
import polars as pl

from metrics.catalogue import CATALOGUE, compute_metrics
from metrics.intervals import funnel_limits

LIMIT_COLUMNS: tuple[str, ...] = ("lo95", "hi95", "lo998", "hi998")


def compare_units(
    cases: pl.LazyFrame | pl.DataFrame, metric_id: str, unit: str = "municipality"
) -> pl.DataFrame:
    """One row per unit with its share, Wilson interval, the pooled share and funnel limits.

    ``flag`` is "above" or "below" when the share lies outside the 99.8 % limits at the
    unit's size (a difference unlikely to be chance), else "within"; null when the unit
    has no denominator. Only share metrics can be compared this way.
    """
    metric = CATALOGUE.get(metric_id)
    if metric is None or metric.kind != "share":
        raise ValueError(f"Endast andelar kan jämföras mellan enheter, inte {metric_id!r}")
    frame = compute_metrics(cases, [metric_id], by=[unit]).rename({unit: "unit"})
    total_num = int(frame["numerator"].sum())
    total_den = int(frame["denominator"].sum())
    overall = total_num / total_den if total_den > 0 else None
    if overall is None:
        limits = pl.DataFrame(
            {c: pl.Series(c, [None] * frame.height, pl.Float64) for c in LIMIT_COLUMNS}
        )
    else:
        limits = funnel_limits(overall, frame["denominator"]).select(LIMIT_COLUMNS)
    value = pl.col("value")
    flag = (
        pl.when(value.is_null() | pl.col("hi998").is_null())
        .then(pl.lit(None, dtype=pl.String))
        .when(value > pl.col("hi998"))
        .then(pl.lit("above"))
        .when(value < pl.col("lo998"))
        .then(pl.lit("below"))
        .otherwise(pl.lit("within"))
    )
    return (
        pl.concat([frame, limits], how="horizontal")
        .with_columns(pl.lit(overall, dtype=pl.Float64).alias("overall"))
        .with_columns(flag.alias("flag"))
        .select(
            "unit",
            "numerator",
            "denominator",
            "value",
            "ci_low",
            "ci_high",
            "overall",
            *LIMIT_COLUMNS,
            "flag",
            "suppressed",
        )
    )


def funnel_curve(p0: float, n_max: float, points: int = 200) -> pl.DataFrame:
    """The funnel's limit lines from n = 1 to ``n_max``, for drawing.

    Sizes are spaced geometrically (the funnel changes fastest at small n) and rounded to
    whole participants, since the limits are binomial. Columns: n, overall, lo95, hi95,
    lo998, hi998.
    """
    if n_max < 1:
        sizes: list[int] = []
    else:
        spaced = np.rint(np.geomspace(1, n_max, max(points, 2))).astype(np.int64)
        sizes = np.unique(spaced).tolist()
    limits = funnel_limits(p0, pl.Series("n", sizes, dtype=pl.Int64))
    return limits.select("n", pl.lit(p0, dtype=pl.Float64).alias("overall"), *LIMIT_COLUMNS)
