"""Which rows a view looks at: the current snapshot and the user's filters."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import polars as pl

from ingest.schema import REPORT_MONTH_FIELD


def latest_snapshot(snapshots: pl.LazyFrame | pl.DataFrame) -> pl.LazyFrame:
    """Rows of each project's newest report month: the project's current state.

    Projects report on their own schedule, so "newest" is decided per project, not
    globally. A frame without report months is already one state and is returned as is.

    The newest month of each project is found first (a small frame, collected here), and the
    rows are then kept by literal months: a scan of monthly files reads only those months.
    """
    lf = snapshots.lazy()
    if REPORT_MONTH_FIELD not in lf.collect_schema().names():
        return lf
    month, project = pl.col(REPORT_MONTH_FIELD), pl.col("project")
    newest = lf.group_by("project").agg(month.max()).drop_nulls(REPORT_MONTH_FIELD).collect()
    keep = [
        (month == value) & _one_of(project, rows["project"].to_list())
        for (value,), rows in newest.group_by(REPORT_MONTH_FIELD)
    ]
    return lf.filter(pl.any_horizontal(keep)) if keep else lf.filter(pl.lit(False))


def _one_of(column: pl.Expr, values: list) -> pl.Expr:
    """``column`` is one of ``values``, a missing value matching a missing one."""
    present = [v for v in values if v is not None]
    found = column.is_in(present).fill_null(False)
    return found | column.is_null() if len(present) < len(values) else found


def apply_filters(
    cases: pl.LazyFrame | pl.DataFrame,
    *,
    projects: Sequence[str] | None = None,
    municipalities: Sequence[str] | None = None,
    genders: Sequence[str] | None = None,
    age_groups: Sequence[str] | None = None,
    start_from: date | None = None,
    start_to: date | None = None,
) -> pl.LazyFrame:
    """Keep the rows matching every given filter; ``None`` means no filter.

    Start dates are inclusive at both ends. An empty list keeps nothing (the user chose
    no value), unlike ``None``.
    """
    lf = cases.lazy()
    conditions: list[pl.Expr] = []
    for column, values in (
        ("project", projects),
        ("municipality", municipalities),
        ("gender", genders),
        ("age_group", age_groups),
    ):
        if values is not None:
            conditions.append(pl.col(column).is_in(list(values)).fill_null(False))
    if start_from is not None:
        conditions.append(pl.col("start_date") >= start_from)
    if start_to is not None:
        conditions.append(pl.col("start_date") <= start_to)
    return lf.filter(*conditions) if conditions else lf


def snapshot_as_of(
    snapshots: pl.LazyFrame | pl.DataFrame, month: str | None, *, all_months: bool = False
) -> pl.LazyFrame:
    """The state as of a report month: each project's newest snapshot up to ``month``.

    ``month`` None means now. With ``all_months`` every month up to ``month`` is kept
    (the base of a trend) instead of only each project's newest.
    """
    lf = snapshots.lazy()
    if month is not None:
        lf = lf.filter(pl.col(REPORT_MONTH_FIELD) <= month)
    return lf if all_months else latest_snapshot(lf)
