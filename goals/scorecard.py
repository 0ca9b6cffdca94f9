"""The goals as a scorecard, and one goal's trend, read from the stored monthly statuses.

The scorecard is one row per goal and one cell per report month. A cell is the status
*stored* for that month (``goals.service.goal_history``), never a new evaluation: the board
sees each month as it was judged, even after a target was changed. A month without a
stored status is an empty cell that says so. The row ends with the goal's value now.

A goal's trend is its metric per month (from the same stored months), the green and yellow
zones each month was judged against, and the board's decisions: edits of how the goal is
judged (from the change log) and its removal. Hidden values stay hidden: a month whose
value is hidden to protect small numbers has no value here, only "<5" or "dold".

Pure: goals, records and history in, plain data out. The page and the meeting pack lay it
out; ``charts.goal_trend`` draws the trend.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, cast
from zoneinfo import ZoneInfo

import polars as pl

from charts.goal_trend import DecisionMark, TrendPoint, ZoneBand
from charts.palette import GoalStatusStyle, goal_status_style
from charts.trends import month_label
from goals.model import (
    DIRECTION_LABELS,
    KIND_LABELS,
    STATUS_LABELS,
    STYLE_IDS,
    Goal,
)
from goals.records import GoalMonth, GoalStatus
from goals.text import band_text, target_text, threshold_number, value_text
from metrics.costs import any_metric, is_known_metric
from metrics.protection import SUPPRESSION_THRESHOLD
from presentation.numbers import MetricKind

#: Shown in a cell for a month that has no stored status, and what it means.
NO_STATUS_TEXT = "–"
NO_STATUS_LABEL = "ingen status sparad"
#: Without a chosen period the scorecard shows this many of the newest stored months.
DEFAULT_MONTHS = 12
#: Edits are logged in UTC; the board reads dates in Swedish time.
TIMEZONE = ZoneInfo("Europe/Stockholm")

#: Logged fields that change how a goal is judged, with their Swedish names. Edits of the
#: wording (title, description, comment) are no decision about the goal's level.
DECISION_FIELDS: dict[str, str] = {
    "kind": "typ",
    "metric": "mått",
    "direction": "riktning",
    "target": "målvärde",
    "yellow": "gul gräns",
    "filters": "urval",
    "status": "bedömning",
    "assessed": "bedömningsdatum",
}
EDITED = "Ändrat"
ASSESSED = "Bedömt"
REMOVED = "Utgått"
ZONES_NOTE = "Zonerna visar de gränser som varje månad bedömdes mot."


# -- the scorecard --------------------------------------------------------------------


def scorecard_months(
    stored: Iterable[str], chosen: Sequence[str] | None = None, *, last: int = DEFAULT_MONTHS
) -> list[str]:
    """The months the scorecard shows, oldest first: the chosen period's months, or else
    the newest ``last`` months that have a stored status (fewer when fewer are stored)."""
    if chosen is not None:
        return sorted(set(chosen))
    return sorted(set(stored))[-last:] if last > 0 else []


@dataclass(frozen=True)
class ScorecardCell:
    """One goal in one report month: the status stored then (``None``: none stored)."""

    month: str
    status: str | None

    @property
    def stored(self) -> bool:
        return self.status is not None

    @property
    def style(self) -> GoalStatusStyle | None:
        return None if self.status is None else goal_status_style(STYLE_IDS[self.status])

    @property
    def text(self) -> str:
        """What the cell shows: symbol and word ("✔ Uppfyllt"), or "–"."""
        style = self.style
        return NO_STATUS_TEXT if style is None else style.badge

    @property
    def label(self) -> str:
        """The cell in words: "Uppfyllt", or "ingen status sparad"."""
        return NO_STATUS_LABEL if self.status is None else STATUS_LABELS[self.status]


@dataclass(frozen=True)
class ScorecardRow:
    """One goal: its stored status per month and its value now."""

    goal_id: str
    title: str
    project: str
    period: str
    kind: str
    cells: tuple[ScorecardCell, ...]
    value_now: str


@dataclass(frozen=True)
class Scorecard:
    """Goals × months, in the order the goals were defined."""

    months: tuple[str, ...]
    rows: tuple[ScorecardRow, ...]

    def by_period(self) -> list[tuple[str, list[ScorecardRow]]]:
        """The rows grouped by period, in the order the periods first appear (as the cards)."""
        periods = list(dict.fromkeys(row.period for row in self.rows))
        return [(p, [row for row in self.rows if row.period == p]) for p in periods]

    def row(self, goal_id: str) -> ScorecardRow:
        return next(row for row in self.rows if row.goal_id == goal_id)

    def table(self, value_column: str = "Värde nu") -> pl.DataFrame:
        """The scorecard as text, one row per goal: for downloads and for tests."""
        data: dict[str, list[str]] = {
            "Mål": [r.title for r in self.rows],
            "Insats": [r.project for r in self.rows],
            "Period": [r.period for r in self.rows],
        }
        for index, month in enumerate(self.months):
            data[month] = [r.cells[index].text for r in self.rows]
        data[value_column] = [r.value_now for r in self.rows]
        return pl.DataFrame(data, schema=dict.fromkeys(data, pl.String))


def value_now_text(goal: Goal, record: GoalStatus, threshold: int = SUPPRESSION_THRESHOLD) -> str:
    """The goal's value now as the row's last cell; a goal judged by hand says so."""
    if goal.metric is None:
        if goal.assessed is not None and record.status != "grey":
            return f"Bedömt {goal.assessed.isoformat()}"
        return "Bedöms manuellt"
    return value_text(goal, record, threshold)


def build_scorecard(
    goals: Sequence[Goal],
    records: Mapping[str, GoalStatus],
    history: Mapping[str, Sequence[GoalMonth]],
    months: Sequence[str],
    *,
    threshold: int = SUPPRESSION_THRESHOLD,
) -> Scorecard:
    """The scorecard of ``goals`` over ``months`` from their stored history.

    ``records`` are the goals' statuses now (``goal_statuses``), for the last column;
    ``history`` the stored months (``goal_history``). A month missing from a goal's history
    is a cell without status: nothing is evaluated here.
    """
    shown = tuple(sorted(set(months)))
    rows = []
    for goal in goals:
        stored = {m.month: m.status for m in history.get(goal.id, ())}
        rows.append(
            ScorecardRow(
                goal_id=goal.id,
                title=goal.title,
                project=goal.project,
                period=goal.period,
                kind=goal.kind,
                cells=tuple(ScorecardCell(month, stored.get(month)) for month in shown),
                value_now=value_now_text(goal, records[goal.id], threshold),
            )
        )
    return Scorecard(months=shown, rows=tuple(rows))


# -- one goal's trend -----------------------------------------------------------------


@dataclass(frozen=True)
class TrendMonth:
    """One month of a goal's trend as text: what the table beside the chart shows."""

    month: str
    status: str | None
    status_text: str
    value: str
    judged_against: str


@dataclass(frozen=True)
class GoalTrend:
    """A goal's metric per month, its zones and the decisions about it."""

    goal_id: str
    title: str
    project: str
    metric: str | None
    value_label: str | None
    value_kind: MetricKind | None
    months: tuple[TrendMonth, ...]
    points: tuple[TrendPoint, ...]
    zones: tuple[ZoneBand, ...]
    decisions: tuple[DecisionMark, ...]

    @property
    def qualitative(self) -> bool:
        """A goal judged by hand: no metric, so no line."""
        return self.metric is None

    def table(self) -> pl.DataFrame:
        """The months as a table: the chart's text alternative."""
        columns = {
            "Månad": [m.month for m in self.months],
            "Status": [m.status_text for m in self.months],
        }
        if not self.qualitative:
            columns["Värde"] = [m.value for m in self.months]
            columns["Bedömt mot"] = [m.judged_against for m in self.months]
        return pl.DataFrame(columns, schema=dict.fromkeys(columns, pl.String))


def _judged_goal(goal: Goal, month: GoalMonth) -> Goal | None:
    """The goal as that month was judged: its stored thresholds; ``None`` when it was not
    judged against thresholds (by hand, removed)."""
    if goal.metric is None or month.direction is None or month.status == "removed":
        return None
    target, yellow = month.target, month.yellow
    if isinstance(target, list):
        target = tuple(target)
    if isinstance(yellow, list):
        yellow = tuple(yellow)
    return replace(goal, direction=month.direction, target=target, yellow=yellow)


def _zone_bands(
    metric: str, direction: str, target: Any, yellow: Any, first: str, last: str
) -> list[ZoneBand]:
    """The green and yellow bands of one set of thresholds, each labelled with symbol, word
    and limits (a ``within`` goal's second yellow band repeats the first: no label)."""
    green, partly = goal_status_style(STYLE_IDS["green"]), goal_status_style(STYLE_IDS["yellow"])

    def band(style: GoalStatusStyle, low: float | None, high: float | None, text: str):
        return ZoneBand(style.status, low, high, first, last, text)

    if direction == "within":
        return [
            band(green, target[0], target[1], f"{green.badge}: {band_text(metric, target)}"),
            band(partly, target[1], yellow[1], f"{partly.badge}: {band_text(metric, yellow)}"),
            band(partly, yellow[0], target[0], ""),
        ]
    word = "minst" if direction == "higher" else "högst"
    green_text = f"{green.badge}: {word} {threshold_number(metric, target)}"
    yellow_text = f"{partly.badge}: {word} {threshold_number(metric, yellow)}"
    if direction == "higher":
        return [band(green, target, None, green_text), band(partly, yellow, target, yellow_text)]
    return [band(green, None, target, green_text), band(partly, target, yellow, yellow_text)]


def _zones(goal: Goal, history: Sequence[GoalMonth]) -> list[ZoneBand]:
    """Bands for each run of consecutive months judged against the same thresholds."""
    if goal.metric is None:
        return []
    runs: list[tuple[tuple, str, str]] = []
    previous: tuple | None = None
    for month in history:
        judged = _judged_goal(goal, month)
        key = None if judged is None else (judged.direction, judged.target, judged.yellow)
        if key is not None and key == previous and runs:
            runs[-1] = (key, runs[-1][1], month.month)
        elif key is not None:
            runs.append((key, month.month, month.month))
        previous = key
    bands: list[ZoneBand] = []
    for (direction, target, yellow), first, last in runs:
        bands += _zone_bands(goal.metric, direction, target, yellow, first, last)
    return bands


def _parsed(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def _field_value(goal: Goal, field: str, text: str | None) -> str:
    """A logged old or new value as the board reads it."""
    value = _parsed(text)
    if value is None or value == "":
        return "–"
    if field in ("target", "yellow") and goal.metric is not None:
        if isinstance(value, list) and len(value) == 2:
            return band_text(goal.metric, (float(value[0]), float(value[1])))
        if isinstance(value, int | float):
            return threshold_number(goal.metric, float(value))
    if field == "metric" and isinstance(value, str) and is_known_metric(value):
        return any_metric(value).label.lower()
    if field == "direction" and isinstance(value, str):
        return DIRECTION_LABELS.get(value, value)
    if field == "kind" and isinstance(value, str):
        return KIND_LABELS.get(value, value).lower()
    if field == "status" and isinstance(value, str):
        return STATUS_LABELS.get(value, value).lower()
    if field == "filters" and isinstance(value, dict):
        return "; ".join(f"{k}: {', '.join(v)}" for k, v in value.items()) or "hela insatsen"
    return str(value)


def _local_day(at: dt.datetime) -> dt.date:
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return at.astimezone(TIMEZONE).date()


def decisions(goal: Goal, changes: Iterable[Mapping[str, Any]]) -> list[DecisionMark]:
    """The decisions about a goal, oldest first: each saved edit of how it is judged (from
    ``goal_changes``) and its removal, with what changed in words."""
    edits: dict[dt.datetime, list[Mapping[str, Any]]] = {}
    for change in changes:
        if change["field"] in DECISION_FIELDS:
            edits.setdefault(change["at"], []).append(change)
    marks = []
    for at, fields in edits.items():
        ordered = sorted(fields, key=lambda c: list(DECISION_FIELDS).index(c["field"]))
        text = "; ".join(
            f"{DECISION_FIELDS[c['field']]} {_field_value(goal, c['field'], c['old'])} → "
            f"{_field_value(goal, c['field'], c['new'])}"
            for c in ordered
        )
        by_hand = {c["field"] for c in fields} <= {"status", "assessed"}
        label = ASSESSED if by_hand else EDITED
        marks.append(DecisionMark(_local_day(at), label, text[:1].upper() + text[1:]))
    if goal.removed is not None:
        marks.append(DecisionMark(goal.removed, REMOVED, goal.decision or "Målet togs bort."))
    return sorted(marks, key=lambda m: m.day)


def _hover(goal: Goal, month: GoalMonth | None, name: str, label: str, threshold: int) -> str:
    lines = [f"<b>{month_label(name)}</b>"]
    if month is None:
        lines.append(f"{label}: {NO_STATUS_LABEL}")
        return "<br>".join(lines)
    lines.append(f"{label}: {value_text(goal, month, threshold)}")
    lines.append(f"Status: {goal_status_style(STYLE_IDS[month.status]).badge}")
    judged = _judged_goal(goal, month)
    if judged is not None:
        lines.append(f"Bedömt mot: {target_text(judged)}")
    return "<br>".join(lines)


def goal_trend(
    goal: Goal,
    history: Sequence[GoalMonth],
    changes: Iterable[Mapping[str, Any]],
    months: Sequence[str],
    *,
    threshold: int = SUPPRESSION_THRESHOLD,
) -> GoalTrend:
    """The goal's trend over ``months`` from its stored ``history`` and its logged
    ``changes`` (``goal_changes(store, goal.id)``)."""
    shown = sorted(set(months))
    stored = {m.month: m for m in history if m.month in set(shown)}
    kept = [stored[m] for m in shown if m in stored]
    metric = any_metric(goal.metric) if goal.metric is not None else None

    rows = []
    points = []
    for name in shown:
        month = stored.get(name)
        judged = None if month is None else _judged_goal(goal, month)
        rows.append(
            TrendMonth(
                month=name,
                status=None if month is None else month.status,
                status_text=NO_STATUS_LABEL
                if month is None
                else goal_status_style(STYLE_IDS[month.status]).badge,
                value=""
                if metric is None
                else (NO_STATUS_TEXT if month is None else value_text(goal, month, threshold)),
                judged_against="" if judged is None else target_text(judged),
            )
        )
        if metric is None:
            continue
        hidden = month is not None and month.suppressed
        points.append(
            TrendPoint(
                month=name,
                # Never a hidden value: the service has emptied it, and it is not drawn.
                value=None if month is None or hidden else month.value,
                hover=_hover(goal, month, name, metric.label, threshold),
                hidden=hidden,
                hidden_reason=month.hidden_reason if month is not None and hidden else None,
            )
        )
    return GoalTrend(
        goal_id=goal.id,
        title=goal.title,
        project=goal.project,
        metric=goal.metric,
        value_label=None if metric is None else metric.label,
        # A cost metric's kind is "cost", a kind as any other (typed as plain text there).
        value_kind=None if metric is None else cast(MetricKind, metric.kind),
        months=tuple(rows),
        points=tuple(points),
        zones=tuple(_zones(goal, kept)),
        decisions=tuple(decisions(goal, changes)),
    )
