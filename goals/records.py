"""What the goal service returns: a goal's figures for a month, its status now, a summary.

Frozen records with named fields, so the Mål page, the meeting pack and the command line
read ``record.status``, not ``record["status"]``. Figures hidden to protect small numbers
are ``None`` with ``suppressed`` true.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class GoalFigures:
    """A goal's status and the figures it was judged on, as they may be shown."""

    status: str
    label: str
    value: float | None
    numerator: int | None
    denominator: int | None
    suppressed: bool
    hidden_reason: str | None


@dataclass(frozen=True)
class GoalMonth(GoalFigures):
    """One stored month of a goal's history, with the thresholds it was judged against
    (``None`` for a goal judged by hand); a later edit of the goal does not change them."""

    month: str
    direction: str | None = None
    target: Any = None
    yellow: Any = None


@dataclass(frozen=True)
class GoalStatus(GoalFigures):
    """A goal with its status: now, or as stored for a report month (``month``)."""

    id: str
    title: str
    project: str
    period: str
    kind: str
    metric: str | None
    direction: str | None
    target: Any
    yellow: Any
    filter: dict[str, list[str]]
    month: str | None
    comment: str | None
    assessed: str | None
    decision: str | None
    removed: str | None

    def as_json(self) -> dict[str, Any]:
        """The record as ``cli.py goals status --format json`` prints it."""
        return {
            "id": self.id,
            "title": self.title,
            "project": self.project,
            "period": self.period,
            "kind": self.kind,
            "metric": self.metric,
            "direction": self.direction,
            "target": self.target,
            "yellow": self.yellow,
            "filter": self.filter,
            "month": self.month,
            "value": self.value,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "suppressed": self.suppressed,
            "hidden_reason": self.hidden_reason,
            "status": self.status,
            "label": self.label,
            "comment": self.comment,
            "assessed": self.assessed,
            "decision": self.decision,
            "removed": self.removed,
        }


@dataclass(frozen=True)
class GoalsSummary:
    """For the overview: how many goals are in each colour now, and the red ones."""

    total: int
    counts: dict[str, int]
    labels: dict[str, str]
    red: tuple[GoalStatus, ...]
