"""How each unit's value stands against the overall value, honestly for small numbers.

A unit is "above" or "below" only when its 95 % interval lies wholly on one side of the
overall share; otherwise the difference may be chance and it is "within".
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl


def standing_against_overall(
    by_unit: pl.DataFrame, overall: pl.DataFrame, unit: str | Sequence[str] = "municipality"
) -> pl.DataFrame:
    """Add ``overall`` and ``standing`` ("above" | "below" | "within" | null) per unit row.

    ``by_unit`` and ``overall`` are compute_metrics frames (by the unit, and with no
    breakdown). Only rows with an interval (shares) get a standing.
    """
    totals = overall.select("metric", pl.col("value").alias("overall"))
    return by_unit.join(totals, on="metric", how="left").with_columns(
        pl.when(pl.col("ci_low").is_null() | pl.col("overall").is_null())
        .then(pl.lit(None, dtype=pl.String))
        .when(pl.col("ci_low") > pl.col("overall"))
        .then(pl.lit("above"))
        .when(pl.col("ci_high") < pl.col("overall"))
        .then(pl.lit("below"))
        .otherwise(pl.lit("within"))
        .alias("standing")
    )
