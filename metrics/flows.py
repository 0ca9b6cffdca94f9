"""Flows of ended participations: where people started and where they left, for Sankey charts.

Every flow counts the same participations: ended, not felregistrering, not anonymous.
Missing values are a node of their own ("Uppgift saknas"), so each flow adds up to the
number of ended participations.
"""

from __future__ import annotations

import polars as pl

from ingest.schema import CODE_LABELS, STEPS
from metrics.outcomes import OUTCOME_LABELS, OUTCOMES, with_outcome

MISSING = "Uppgift saknas"
ACTIVE_LABELS: dict[bool, str] = {True: "I aktivitet", False: "Ej i aktivitet"}

FLOW_SCHEMA = pl.Schema(
    {
        "source": pl.String(),
        "target": pl.String(),
        "count": pl.Int64(),
    }
)


def _ended(cases: pl.LazyFrame | pl.DataFrame) -> pl.LazyFrame:
    return with_outcome(cases).filter(
        pl.col("outcome").is_in(list(OUTCOMES)), ~pl.col("anonymous").fill_null(False)
    )


def _label(column: str, labels: dict[str, str], prefix: str = "") -> pl.Expr:
    # Codes without a label are shown as they are.
    text = pl.col(column).cast(pl.String).replace(labels)
    return (pl.lit(prefix) + text.fill_null(MISSING)).alias(column)


def _flow(lf: pl.LazyFrame, source: pl.Expr, target: pl.Expr) -> pl.DataFrame:
    return (
        lf.select(source.alias("source"), target.alias("target"))
        .group_by("source", "target")
        .agg(pl.len().cast(pl.Int64).alias("count"))
        .collect()
        .sort("count", "source", "target", descending=[True, False, False])
        .cast(FLOW_SCHEMA)
    )


def income_to_outcome(cases: pl.LazyFrame | pl.DataFrame) -> pl.DataFrame:
    """Main income at start (Swedish label) -> outcome (Swedish label)."""
    return _flow(
        _ended(cases),
        _label("income_start", CODE_LABELS["income"]),
        _label("outcome", OUTCOME_LABELS),
    )


def step_to_step(cases: pl.LazyFrame | pl.DataFrame) -> pl.DataFrame:
    """Ladder step at start -> at exit, as "Start: 1 Passiv" -> "Avslut: 4 ..."."""
    steps = CODE_LABELS["step"]
    return _flow(
        _ended(cases),
        _label("step_start", steps, "Start: "),
        _label("step_end", steps, "Avslut: "),
    )


def activity_to_activity(cases: pl.LazyFrame | pl.DataFrame) -> pl.DataFrame:
    """In activity or not at start -> at exit."""

    def side(column: str, prefix: str) -> pl.Expr:
        text = (
            pl.when(pl.col(column))
            .then(pl.lit(ACTIVE_LABELS[True]))
            .when(~pl.col(column))
            .then(pl.lit(ACTIVE_LABELS[False]))
            .otherwise(pl.lit(MISSING))
        )
        return pl.lit(prefix) + text

    return _flow(_ended(cases), side("active_start", "Start: "), side("active_end", "Avslut: "))


def step_matrix(cases: pl.LazyFrame | pl.DataFrame) -> pl.DataFrame:
    """Counts for every (step_start, step_end) pair, zeros included, among ended with both known.

    The full 6 x 6 grid, so a heat map shows empty cells as empty rather than missing.
    """
    counts = (
        _ended(cases)
        .filter(pl.col("step_start").is_not_null(), pl.col("step_end").is_not_null())
        .group_by("step_start", "step_end")
        .agg(pl.len().cast(pl.Int64).alias("count"))
    )
    steps = pl.LazyFrame({"step_start": list(STEPS)}, schema={"step_start": pl.Int64}).join(
        pl.LazyFrame({"step_end": list(STEPS)}, schema={"step_end": pl.Int64}), how="cross"
    )
    return (
        steps.join(counts, on=["step_start", "step_end"], how="left")
        .with_columns(pl.col("count").fill_null(0))
        .collect()
        .sort("step_start", "step_end")
    )


def outcome_breakdown(cases: pl.LazyFrame | pl.DataFrame) -> pl.DataFrame:
    """Ended participations by outcome, self-sufficiency route and complementary aid."""
    order = {o: i for i, o in enumerate(OUTCOMES)}
    return (
        _ended(cases)
        .group_by("outcome", "outcome_detail", "complementary_aid")
        .agg(pl.len().cast(pl.Int64).alias("count"))
        .collect()
        .sort(
            pl.col("outcome").replace_strict(order, return_dtype=pl.Int64),
            "outcome_detail",
            "complementary_aid",
            nulls_last=True,
        )
    )
