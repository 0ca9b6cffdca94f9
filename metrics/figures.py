"""The one path from a selection to the protected figures a view shows.

Pages, the meeting pack, goals and ``cli.py kpis`` all come here, so one rule holds
everywhere: the reference of a view is the same view without its filters, and a
filtered view that leaves out 1 to threshold - 1 of what the reference shows hides those
numbers (``hidden_reason`` ``filter``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import polars as pl

from metrics.compare import compare_units
from metrics.protection import (
    SUPPRESSION_THRESHOLD,
    DetailSum,
    ProtectedCounts,
    protect_counts,
    protect_detail,
    protected_metrics,
)
from metrics.selection import Selection, select_cases

Snapshots = pl.LazyFrame | pl.DataFrame


def reference_cases(
    snapshots: Snapshots, selection: Selection, *, over_months: bool = False
) -> pl.LazyFrame | None:
    """The same view without filters, or ``None`` when the selection has none."""
    if not selection.is_filtered:
        return None
    return select_cases(snapshots, selection.unfiltered(), over_months=over_months)


def metric_figures(
    snapshots: Snapshots,
    selection: Selection,
    metrics: Sequence[str] | None = None,
    by: Sequence[str] = (),
    *,
    over_months: bool = False,
    threshold: int = SUPPRESSION_THRESHOLD,
) -> pl.DataFrame:
    """Catalogue metrics of the selection, small numbers protected.

    ``snapshots`` is everything the view could show (every month); the selection picks
    from it. With ``over_months`` the frame covers every report month up to the
    selection's (add ``report_month`` to ``by`` for a trend), each month protected as its
    own state; otherwise each project's newest snapshot.
    """
    return protected_metrics(
        select_cases(snapshots, selection, over_months=over_months),
        metrics=list(metrics) if metrics else None,
        by=list(by),
        threshold=threshold,
        reference=reference_cases(snapshots, selection, over_months=over_months),
    )


def selection_protection(
    snapshots: Snapshots, selection: Selection, *, threshold: int = SUPPRESSION_THRESHOLD
) -> ProtectedCounts:
    """The protected linked counts of the selection's current state (one month per
    project), for detail tables and single figures protected with the same set."""
    return protect_counts(
        select_cases(snapshots, selection),
        threshold=threshold,
        reference=reference_cases(snapshots, selection),
    )


def detail_figures(
    snapshots: Snapshots,
    selection: Selection,
    detail: Callable[[pl.LazyFrame], pl.DataFrame],
    sums: Sequence[DetailSum],
    *,
    threshold: int = SUPPRESSION_THRESHOLD,
    protected: ProtectedCounts | None = None,
) -> pl.DataFrame:
    """A detail table (flows, outcome routes, step grid) of the selection, protected within
    its linked set. Pass ``protected`` (from :func:`selection_protection`) to protect
    several tables of one selection with one set."""
    if protected is None:
        protected = selection_protection(snapshots, selection, threshold=threshold)
    return protect_detail(detail(select_cases(snapshots, selection)), sums, protected)


#: Columns of a comparison row that reveal the unit's size (the denominator and limits).
_SIZE_COLUMNS = ("denominator", "lo95", "hi95", "lo998", "hi998")


def suppress_comparison(
    comparison: pl.DataFrame, by_unit: pl.DataFrame, total: pl.DataFrame, unit: str
) -> pl.DataFrame:
    """Hide in the comparison exactly what the protected metric frames hide.

    ``by_unit`` and ``total`` are the protected frames of the same metric (per unit and
    for the whole selection), so the chart shows no cell the tables hide.
    """
    if comparison.height == 0:
        return comparison
    hidden = by_unit.select(
        pl.col(unit).alias("unit"),
        pl.col("suppressed").alias("__hidden"),
        "hidden_reason",
        pl.col("denominator").is_null().alias("__size_hidden"),
    )
    overall_hidden = bool(total["suppressed"].any()) if total.height else False
    joined = comparison.drop("suppressed").join(hidden, on="unit", how="left", nulls_equal=True)
    out = joined.with_columns(
        *[
            pl.when(pl.col("__hidden")).then(None).otherwise(pl.col(c)).alias(c)
            for c in ("value", "numerator", "ci_low", "ci_high", "flag")
        ],
        *[
            pl.when(pl.col("__size_hidden")).then(None).otherwise(pl.col(c)).alias(c)
            for c in _SIZE_COLUMNS
        ],
        pl.col("__hidden").fill_null(True).alias("suppressed"),
    )
    if overall_hidden:
        out = out.with_columns(pl.lit(None, dtype=pl.Float64).alias("overall"))
    return out.drop("__hidden", "__size_hidden")


def comparison_figures(
    snapshots: Snapshots,
    selection: Selection,
    metric: str,
    unit: str,
    *,
    threshold: int = SUPPRESSION_THRESHOLD,
) -> pl.DataFrame:
    """Units compared with the whole (intervals, funnel limits), hiding exactly what the
    selection's protected metric frames hide."""
    return suppress_comparison(
        compare_units(select_cases(snapshots, selection), metric, unit),
        metric_figures(snapshots, selection, [metric], [unit], threshold=threshold),
        metric_figures(snapshots, selection, [metric], threshold=threshold),
        unit,
    )
