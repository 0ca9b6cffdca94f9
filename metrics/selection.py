"""Which rows a view looks at: the current snapshot and the user's filters.

A :class:`Selection` is what a view shows: a report month, the values chosen per filter
field and a start-date range. The filter fields are the schema's breakdown fields (the
report month aside), so a new breakdown field is a filter everywhere: sidebar, URL,
goals and the command line.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import polars as pl

from ingest.schema import BREAKDOWN_FIELDS, REPORT_MONTH_FIELD
from metrics.period import Period, period_view

START_FIELD = "start_date"

#: Fields a selection can narrow the cases by: every breakdown field but the report month
#: (each month is its own state of the data), the project first and then the schema's order.
FILTER_FIELDS: tuple[str, ...] = (
    "project",
    *(name for name in BREAKDOWN_FIELDS.values() if name not in ("project", REPORT_MONTH_FIELD)),
)

Choices = tuple[tuple[str, tuple[Any, ...]], ...]


def _choices(values: Mapping[str, Sequence[Any] | None]) -> Choices:
    unknown = set(values) - set(FILTER_FIELDS)
    if unknown:
        raise ValueError(f"okänt filterfält: {', '.join(sorted(unknown))}")
    return tuple(
        (name, tuple(chosen)) for name in FILTER_FIELDS if (chosen := values.get(name)) is not None
    )


@dataclass(frozen=True)
class Selection:
    """What a view shows: the report month, chosen values per filter field, a start range,
    and optionally a period.

    ``report_month`` None means each project's newest month. A field that is not chosen
    keeps every row; a field chosen with no values keeps none. With a ``period`` the view
    shows the participations during that period, as each project's snapshot at the report
    month tells them (:func:`metrics.period.period_view`). Build one with :meth:`of`, which
    takes the filter fields by their canonical names.
    """

    report_month: str | None = None
    choices: Choices = field(default=())
    start_from: date | None = None
    start_to: date | None = None
    period: Period | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "choices", _choices(dict(self.choices)))

    @classmethod
    def of(
        cls,
        report_month: str | None = None,
        *,
        start_from: date | None = None,
        start_to: date | None = None,
        period: Period | None = None,
        **chosen: Sequence[Any] | None,
    ) -> Selection:
        """``Selection.of("2024-03", municipality=["Sigtuna"])``; ``None`` = not chosen."""
        return cls(report_month, _choices(chosen), start_from, start_to, period)

    def chosen(self, name: str) -> tuple[Any, ...] | None:
        """The values chosen for a filter field (``None``: every value)."""
        return dict(self.choices).get(name)

    @property
    def is_filtered(self) -> bool:
        """Whether anything beyond the report month narrows the view."""
        return bool(self.choices) or self.start_from is not None or self.start_to is not None

    def unfiltered(self) -> Selection:
        """The same view without filters: the report month (and period) only."""
        return Selection(report_month=self.report_month, period=self.period)

    def with_month(self, report_month: str | None) -> Selection:
        return replace(self, report_month=report_month)

    def with_period(self, period: Period | None) -> Selection:
        return replace(self, period=period)


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


def apply_filters(cases: pl.LazyFrame | pl.DataFrame, selection: Selection) -> pl.LazyFrame:
    """Keep the rows matching every filter of the selection (its report month aside).

    Start dates are inclusive at both ends. A field chosen with no values keeps nothing.
    """
    lf = cases.lazy()
    conditions: list[pl.Expr] = [
        pl.col(name).is_in(list(values)).fill_null(False) for name, values in selection.choices
    ]
    if selection.start_from is not None:
        conditions.append(pl.col(START_FIELD) >= selection.start_from)
    if selection.start_to is not None:
        conditions.append(pl.col(START_FIELD) <= selection.start_to)
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


def select_cases(
    snapshots: pl.LazyFrame | pl.DataFrame, selection: Selection, *, over_months: bool = False
) -> pl.LazyFrame:
    """The cases a selection shows: filtered, then each project's newest month up to its
    report month (with ``over_months`` every month up to it, for a trend), then the
    selection's period, if any."""
    months = snapshot_as_of(snapshots, selection.report_month, all_months=True)
    filtered = apply_filters(months, selection)
    cases = filtered if over_months else latest_snapshot(filtered)
    return period_view(cases, selection.period) if selection.period is not None else cases
