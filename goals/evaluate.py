"""From a goal and one metric value to a traffic-light status. Pure: no data access.

A status is only ever computed from a value that exists: no rows, no denominator or no
value gives grey (*Ej bedömt*), never a guessed colour.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from goals.model import STATUS_LABELS, Goal, Threshold, month_of
from metrics.catalogue import CATALOGUE

#: Shares are fractions computed by division; this keeps 0.3 == 3/10-style ties green.
_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Evaluation:
    """The status of one goal at one moment, with the figures it was judged on."""

    status: str
    value: float | None = None
    numerator: int | None = None
    denominator: int | None = None

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]


def measured_status(direction: str, target: Threshold, yellow: Threshold, value: float) -> str:
    """Green at or beyond the target, yellow at or beyond the yellow threshold, else red."""
    if direction == "higher":
        assert isinstance(target, int | float) and isinstance(yellow, int | float)
        if value >= target - _TOLERANCE:
            return "green"
        return "yellow" if value >= yellow - _TOLERANCE else "red"
    if direction == "lower":
        assert isinstance(target, int | float) and isinstance(yellow, int | float)
        if value <= target + _TOLERANCE:
            return "green"
        return "yellow" if value <= yellow + _TOLERANCE else "red"
    if direction == "within":
        assert isinstance(target, tuple) and isinstance(yellow, tuple)
        if _inside(value, target):
            return "green"
        return "yellow" if _inside(value, yellow) else "red"
    raise ValueError(f"okänd riktning: {direction!r}")


def _inside(value: float, band: tuple[float, float]) -> bool:
    low, high = band
    return low - _TOLERANCE <= value <= high + _TOLERANCE


def _figure(row: Mapping[str, Any] | None, name: str) -> Any:
    return None if row is None else row.get(name)


def has_data(metric: str, row: Mapping[str, Any] | None) -> bool:
    """Whether a metric row carries a value to judge: counts need a value, the rest (a cost
    per participant too) a denominator above zero as well."""
    if row is None or row.get("value") is None:
        return False
    if metric in CATALOGUE and CATALOGUE[metric].kind == "count":
        return True
    denominator = row.get("denominator")
    return denominator is not None and denominator > 0


def evaluate(goal: Goal, row: Mapping[str, Any] | None, month: str | None = None) -> Evaluation:
    """The goal's status from one ``compute_metrics`` row (``None`` when there is no data).

    ``month`` is the report month judged (``None``: now). A removed goal is *Utgått* from
    its removal month on; a manual goal is *Ej bedömt* before the month it was assessed.
    """
    figures = {
        "value": _figure(row, "value"),
        "numerator": _figure(row, "numerator"),
        "denominator": _figure(row, "denominator"),
    }
    removed_month = goal.removed_month
    if removed_month is not None and (month is None or month >= removed_month):
        return Evaluation("removed", **figures)
    if goal.kind == "manual":
        assessed_month = month_of(goal.assessed)
        if month is not None and (assessed_month is None or month < assessed_month):
            return Evaluation("grey")
        return Evaluation(goal.status or "grey")
    if goal.metric is None or not has_data(goal.metric, row):
        return Evaluation("grey", **figures)
    assert goal.direction is not None and goal.target is not None and goal.yellow is not None
    value = float(figures["value"])
    return Evaluation(measured_status(goal.direction, goal.target, goal.yellow, value), **figures)
