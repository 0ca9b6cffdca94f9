"""Tables for the data-quality page, with small counts hidden like every other count."""

from __future__ import annotations

import polars as pl

from metrics.suppression import suppress_small_counts
from presentation.numbers import suppressed_text


def suppressed_unknown_codes(unknown: pl.DataFrame) -> pl.DataFrame:
    """Unknown-code counts per municipality; counts from 1 to 4 read "<5"."""
    as_metric = unknown.rename({"field": "metric", "unknown": "numerator", "total": "denominator"})
    hidden = suppress_small_counts(as_metric, by=["municipality"])
    return hidden.filter(pl.col("numerator").fill_null(1) > 0).select(
        pl.col("municipality").alias("Kommun"),
        pl.col("label").alias("Uppgift"),
        pl.when(pl.col("suppressed"))
        .then(pl.lit(suppressed_text()))
        .otherwise(pl.col("numerator").cast(pl.String))
        .alias("Kod 'okand'"),
        pl.col("denominator").cast(pl.String).fill_null(suppressed_text()).alias("Deltagare"),
    )
