"""What a goal is: a measured target on a catalogue metric, or a status judged by hand.

A goal belongs to one project and one period (*Delmål 2018*, *Huvudmål*). A measured goal
names a metric, a direction and two thresholds: green at or beyond ``target``, yellow at or
beyond ``yellow``. For ``within`` both are bands ``(lo, hi)`` and the yellow band encloses
the green one. A removed goal stays, shown as *Utgått* with its decision.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from ingest.schema import BREAKDOWN_FIELDS

Status = Literal["green", "yellow", "red", "grey", "removed"]
STATUSES: tuple[str, ...] = ("green", "yellow", "red", "grey", "removed")
STATUS_LABELS: dict[str, str] = {
    "green": "Uppfyllt",
    "yellow": "Delvis uppfyllt",
    "red": "Ej uppfyllt",
    "grey": "Ej bedömt",
    "removed": "Utgått",
}
#: The goal status ids as ``charts.palette.GOAL_STATUS_STYLES`` names them.
STYLE_IDS: dict[str, str] = {
    "green": "met",
    "yellow": "partly_met",
    "red": "not_met",
    "grey": "not_assessed",
    "removed": "removed",
}
#: What a person can judge a manual goal to be ("grey" = not yet judged).
MANUAL_STATUSES: tuple[str, ...] = ("green", "yellow", "red", "grey")

KINDS: tuple[str, ...] = ("measured", "manual")
KIND_LABELS: dict[str, str] = {"measured": "Mätbart", "manual": "Bedöms manuellt"}
DIRECTIONS: tuple[str, ...] = ("higher", "lower", "within")
DIRECTION_LABELS: dict[str, str] = {
    "higher": "högre är bättre",
    "lower": "lägre är bättre",
    "within": "inom ett intervall",
}

#: Filters a goal may narrow its cases by: the export header -> canonical field. The project
#: is the goal's own and the report month is what history runs over, so neither is a filter.
FILTER_FIELDS: dict[str, str] = {
    header: name
    for header, name in BREAKDOWN_FIELDS.items()
    if name not in ("project", "report_month")
}

Threshold = float | tuple[float, float]


@dataclass(frozen=True)
class Goal:
    """One goal as the board decided it. ``filters`` maps a header (``kommun``) to values."""

    id: str
    project: str
    title: str
    period: str
    kind: str = "measured"
    description: str = ""
    metric: str | None = None
    direction: str | None = None
    target: Threshold | None = None
    yellow: Threshold | None = None
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    status: str | None = None
    comment: str = ""
    assessed: date | None = None
    removed: date | None = None
    decision: str = ""

    @property
    def is_removed(self) -> bool:
        return self.removed is not None

    @property
    def removed_month(self) -> str | None:
        """The first report month in which the goal no longer applies."""
        return None if self.removed is None else f"{self.removed:%Y-%m}"


def month_of(day: date | None) -> str | None:
    return None if day is None else f"{day:%Y-%m}"
