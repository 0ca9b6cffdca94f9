"""Tables for the data-quality page and the pack, protected like every other count.

A completeness or unknown-code cell is a count of people (those with the field filled in,
or coded "okand") over a group's participants. It is hidden when that count or its rest
(the group's participants less it) is from 1 to threshold - 1, and when the group's
participants are hidden by the linked protection of the same selection, so the data
quality tables never show what the other pages hide.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from metrics.protection import REASON_SMALL, SUPPRESSION_THRESHOLD
from metrics.quality import END_FIELDS
from presentation.numbers import shown_or_hidden

#: The catalogue count a quality row's total is: ended participants for exit fields.
TOTAL_METRICS: tuple[str, str] = ("participants", "participants_ended")


def protect_quality_counts(
    table: pl.DataFrame,
    totals: pl.DataFrame,
    by: Sequence[str],
    *,
    count: str,
    threshold: int = SUPPRESSION_THRESHOLD,
    over_all: bool = False,
) -> pl.DataFrame:
    """Add ``hidden_reason`` and ``total_reason`` to a quality table (``by``, field, ``count``,
    total): why the cell is hidden, and why its total is (``None``: shown).

    ``totals`` is the protected catalogue frame of :data:`TOTAL_METRICS` for the same
    selection and ``by``. A row rests on the group's participants, or for an exit field
    (unless ``over_all``) on its ended participants.
    """
    by = list(by)
    if threshold <= 1 or table.height == 0:
        none = pl.lit(None, dtype=pl.String)
        return table.with_columns(none.alias("hidden_reason"), none.alias("total_reason"))
    reasons = totals.filter(pl.col("metric").is_in(TOTAL_METRICS)).select(
        *by, "metric", pl.col("hidden_reason").alias("total_reason")
    )
    rests_on = (
        pl.lit(TOTAL_METRICS[0])
        if over_all
        else pl.when(pl.col("field").is_in(END_FIELDS))
        .then(pl.lit(TOTAL_METRICS[1]))
        .otherwise(pl.lit(TOTAL_METRICS[0]))
    )
    small = pl.col(count).is_between(1, threshold - 1) | (
        pl.col("total") - pl.col(count)
    ).is_between(1, threshold - 1)
    joined = table.with_columns(rests_on.alias("metric")).join(
        reasons, on=[*by, "metric"], how="left", nulls_equal=True
    )
    return joined.with_columns(
        pl.when(small)
        .then(pl.lit(REASON_SMALL))
        .otherwise(pl.col("total_reason"))
        .alias("hidden_reason")
    ).drop("metric")


def completeness_table(
    protected: pl.DataFrame, unit: str, threshold: int = SUPPRESSION_THRESHOLD
) -> pl.DataFrame:
    """Percent filled in per field (rows) and ``unit`` (columns), hidden cells as text."""
    percent = (pl.col("share") * 100).round(0).cast(pl.Int64).cast(pl.String)
    return (
        protected.with_columns(
            shown_or_hidden(percent, pl.col("hidden_reason"), threshold).alias("pct")
        )
        .pivot(on=unit, index="label", values="pct", sort_columns=True)
        .rename({"label": "Uppgift"})
    )


def unknown_codes_table(
    protected: pl.DataFrame, threshold: int = SUPPRESSION_THRESHOLD
) -> pl.DataFrame:
    """Unknown-code counts per municipality, hidden ones as "<5" or "dold"."""
    return protected.filter(pl.col("unknown") > 0).select(
        pl.col("municipality").alias("Kommun"),
        pl.col("label").alias("Uppgift"),
        shown_or_hidden(
            pl.col("unknown").cast(pl.String), pl.col("hidden_reason"), threshold
        ).alias("Kod 'okand'"),
        shown_or_hidden(pl.col("total").cast(pl.String), pl.col("total_reason"), threshold).alias(
            "Deltagare"
        ),
    )
