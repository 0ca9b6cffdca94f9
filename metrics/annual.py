"""Underlag till årsrapport och Uppföljning Finsam: per insats, a period's participants, new
and ended, by kön, protected as every other figure.

Uppföljning Finsam collects aggregate participant counts by gender; the annual report says
how many each insats served during the year, started and ended. Both come from one
protected frame per breakdown (insats; insats and kön), read off the period view.
"""

from __future__ import annotations

import polars as pl

from metrics.figures import Snapshots, metric_figures
from metrics.protection import SUPPRESSION_THRESHOLD
from metrics.selection import Selection

ANNUAL_METRICS: tuple[str, ...] = ("period_participants", "period_new", "period_ended")
#: The genders as columns, and the insats's total.
GENDERS: tuple[str, ...] = ("K", "M", "X")
TOTAL = "Totalt"


def annual_figures(
    snapshots: Snapshots, selection: Selection, *, threshold: int = SUPPRESSION_THRESHOLD
) -> pl.DataFrame:
    """Long frame: ``project, gender, metric, value, suppressed, hidden_reason``; ``gender``
    is :data:`TOTAL` for the insats as a whole. ``selection`` must carry a period."""
    if selection.period is None:
        raise ValueError("Underlaget till årsrapporten gäller en period: välj en.")
    by_gender = metric_figures(
        snapshots, selection, ANNUAL_METRICS, ["project", "gender"], threshold=threshold
    )
    total = metric_figures(snapshots, selection, ANNUAL_METRICS, ["project"], threshold=threshold)
    columns = ["project", "gender", "metric", "value", "suppressed", "hidden_reason"]
    return pl.concat(
        [
            by_gender.select(columns),
            total.with_columns(pl.lit(TOTAL).alias("gender")).select(columns),
        ],
        how="vertical",
    ).sort(["project", "metric", "gender"])
