"""What changed, for the first lines of the overview: the period against the same period a
year earlier, and the municipalities that differ most from the whole.

Every figure comes through :mod:`metrics.figures`, protected as any other.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from metrics.catalogue import CATALOGUE
from metrics.compare import compare_units
from metrics.figures import Snapshots, metric_figures, suppress_comparison
from metrics.period import Period, year_to_date
from metrics.protection import SUPPRESSION_THRESHOLD
from metrics.selection import Selection, select_cases

#: The shares compared between municipalities for the overview's differences.
DIFFERENCE_METRICS: tuple[str, ...] = tuple(
    m.id for m in CATALOGUE.values() if m.kind == "share" and not m.period
)


def newest_month(snapshots: Snapshots, selection: Selection) -> str | None:
    """The report month the selection shows (its own, or the newest in the data)."""
    if selection.report_month is not None:
        return selection.report_month
    months = snapshots.lazy().select(pl.col("report_month").max()).collect()
    return months.item()


@dataclass(frozen=True)
class PeriodComparison:
    """The participants of a period and of the same period a year earlier, per insats and
    in total (protected frames of ``period_participants``)."""

    period: Period
    earlier: Period
    total: pl.DataFrame
    by_project: pl.DataFrame


def against_last_year(
    snapshots: Snapshots, selection: Selection, *, threshold: int = SUPPRESSION_THRESHOLD
) -> PeriodComparison | None:
    """The selection's period (or the year so far) against the same period a year earlier.

    Both are told by the same snapshots (each project's newest up to the report month), so
    the difference is in the participations, not in what was registered later.
    """
    month = newest_month(snapshots, selection)
    if month is None:
        return None
    period = selection.period or year_to_date(month)
    earlier = period.a_year_earlier()
    totals: list[pl.DataFrame] = []
    parts: list[pl.DataFrame] = []
    for which, chosen in (("now", period), ("earlier", earlier)):
        view = selection.with_period(chosen)
        for frame, out in (
            (metric_figures(snapshots, view, ["period_participants"], threshold=threshold), totals),
            (
                metric_figures(
                    snapshots, view, ["period_participants"], ["project"], threshold=threshold
                ),
                parts,
            ),
        ):
            out.append(frame.with_columns(pl.lit(which).alias("period")))
    return PeriodComparison(
        period, earlier, pl.concat(totals, how="vertical"), pl.concat(parts, how="vertical")
    )


def largest_differences(
    snapshots: Snapshots,
    selection: Selection,
    *,
    unit: str = "municipality",
    top: int = 3,
    threshold: int = SUPPRESSION_THRESHOLD,
) -> pl.DataFrame:
    """The ``top`` shown units whose share lies furthest outside the 95 % limits.

    One row per (metric, unit): ``metric, unit, value, overall, numerator, denominator,
    lo95, hi95, distance`` (points between the share and the whole), largest first. Hidden
    units and units within the limits are left out.
    """
    metrics = list(DIFFERENCE_METRICS)
    # The protected frames of every share at once; each comparison then hides what they do.
    by_unit = metric_figures(snapshots, selection, metrics, [unit], threshold=threshold)
    total = metric_figures(snapshots, selection, metrics, threshold=threshold)
    cases = select_cases(snapshots, selection)
    found = []
    for metric in metrics:
        frame = suppress_comparison(
            compare_units(cases, metric, unit),
            by_unit.filter(pl.col("metric") == metric),
            total.filter(pl.col("metric") == metric),
            unit,
        )
        outside = frame.filter(
            ~pl.col("suppressed"),
            pl.col("value").is_not_null(),
            pl.col("overall").is_not_null(),
            (pl.col("value") < pl.col("lo95")) | (pl.col("value") > pl.col("hi95")),
        )
        found.append(
            outside.select(
                pl.lit(metric).alias("metric"),
                pl.col("unit").cast(pl.String),
                "value",
                "overall",
                "numerator",
                "denominator",
                "lo95",
                "hi95",
                (pl.col("value") - pl.col("overall")).abs().alias("distance"),
            )
        )
    if not found:
        return pl.DataFrame()
    return (
        pl.concat(found, how="vertical")
        .sort(["distance", "metric", "unit"], descending=[True, False, False])
        .head(top)
    )
