"""Metrics over report months, and what changed since the previous month."""

from __future__ import annotations

from typing import Any

import polars as pl

from ingest.schema import REPORT_MONTH_FIELD
from metrics.outcomes import with_outcome

PARTICIPATION_KEY: tuple[str, ...] = ("project", "case_id", "start_date")


def changes_since_last_month(snapshots: pl.LazyFrame | pl.DataFrame) -> dict[str, Any]:
    """New, newly ended and re-classified participations between the two newest months.

    Each project is compared with its own previous upload (projects report on their own
    schedule) and the counts are summed; ``current_month``/``previous_month`` are the
    newest of those months. Felregistreringar and anonymous participations are left out,
    as in the metrics. ``changed_outcome`` counts participations ended in both months whose
    outcome differs (a correction); ``ended`` those ended now but not before.
    """
    lf = (
        with_outcome(snapshots)
        .filter(pl.col("outcome") != "excluded", ~pl.col("anonymous").fill_null(False))
        .with_columns(
            pl.col(REPORT_MONTH_FIELD)
            .rank("dense", descending=True)
            .over("project")
            .alias("_month_rank")
        )
        .filter(pl.col("_month_rank") <= 2)
    )
    frame = lf.select(*PARTICIPATION_KEY, REPORT_MONTH_FIELD, "_month_rank", "outcome").collect()
    current = frame.filter(pl.col("_month_rank") == 1)
    previous = frame.filter(pl.col("_month_rank") == 2)
    if previous.is_empty():
        return {
            "current_month": None,
            "previous_month": None,
            "new": 0,
            "ended": 0,
            "changed_outcome": 0,
        }
    compared = current.filter(pl.col("project").is_in(previous["project"].unique().implode()))
    joined = compared.join(
        previous.select(*PARTICIPATION_KEY, pl.col("outcome").alias("previous_outcome")),
        on=list(PARTICIPATION_KEY),
        how="left",
        nulls_equal=True,
    )
    was_there = pl.col("previous_outcome").is_not_null()
    ended_now = pl.col("outcome") != "ongoing"
    ended_before = was_there & (pl.col("previous_outcome") != "ongoing")
    counts = joined.select(
        (~was_there).sum().alias("new"),
        (ended_now & ~ended_before).sum().alias("ended"),
        (ended_now & ended_before & (pl.col("outcome") != pl.col("previous_outcome")))
        .sum()
        .alias("changed_outcome"),
    ).row(0, named=True)
    return {
        "current_month": compared[REPORT_MONTH_FIELD].max(),
        "previous_month": previous[REPORT_MONTH_FIELD].max(),
        **{k: int(v) for k, v in counts.items()},
    }
