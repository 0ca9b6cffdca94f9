"""What the command line and the Mål page call: goals in and out, statuses and history.

Every month a project has a snapshot for is evaluated once and its status stored (see
``store.goal_store``); later edits of a goal apply to months not evaluated yet and to the
current status ("now"), never to the stored months.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import polars as pl

from access.roles import Action, User, require, system_user
from budgets.service import cost_figures_for
from goals.evaluate import Evaluation, evaluate
from goals.model import FILTER_FIELDS, MANUAL_STATUSES, STATUS_LABELS, STATUSES, Goal
from goals.records import GoalFigures, GoalMonth, GoalsSummary, GoalStatus
from goals.toml_io import (
    GoalDefinitionError,
    check_goals,
    goal_to_mapping,
    goals_to_toml,
    read_goals,
)
from ingest.schema import FIELDS_BY_NAME, REPORT_MONTH_FIELD
from metrics.catalogue import compute_metrics, metric_counts
from metrics.costs import is_cost_metric
from metrics.figures import selection_protection
from metrics.protection import SUPPRESSION_THRESHOLD, ProtectedCounts, hidden_metric
from metrics.selection import Selection, select_cases
from store import DEMO_ACTOR, Store
from store.goal_store import Change, GoalStore

DEMO_GOALS = Path(__file__).resolve().parent / "demo_goals.toml"
#: Counts from 1 to this minus one are hidden, as everywhere else in the product.

#: Goal fields whose change is logged one by one (the thresholds above all).
_LOGGED_FIELDS = (
    "project",
    "title",
    "description",
    "period",
    "kind",
    "metric",
    "direction",
    "target",
    "yellow",
    "filters",
    "status",
    "comment",
    "assessed",
    "removed",
    "decision",
)


class GoalNotFound(LookupError):
    def __init__(self, goal_id: str) -> None:
        super().__init__(f"Det finns inget mål med id '{goal_id}'.")
        self.goal_id = goal_id


# -- rows <-> goals -------------------------------------------------------------------


def _threshold_json(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(list(value) if isinstance(value, tuple) else value)


def _threshold(text: str | None) -> Any:
    if text is None:
        return None
    value = json.loads(text)
    return tuple(value) if isinstance(value, list) else value


def _day(value: date | str | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def goal_to_row(goal: Goal) -> dict[str, Any]:
    """The goal as stored: thresholds and filters as JSON text."""
    return {
        "id": goal.id,
        "project": goal.project,
        "title": goal.title,
        "description": goal.description,
        "period": goal.period,
        "kind": goal.kind,
        "metric": goal.metric,
        "direction": goal.direction,
        "target": _threshold_json(goal.target),
        "yellow": _threshold_json(goal.yellow),
        "filters": json.dumps(
            {k: list(v) for k, v in sorted(goal.filters.items())}, ensure_ascii=False
        ),
        "status": goal.status,
        "comment": goal.comment,
        "assessed": goal.assessed,
        "removed": goal.removed,
        "decision": goal.decision,
    }


def goal_from_row(row: Mapping[str, Any]) -> Goal:
    return Goal(
        id=row["id"],
        project=row["project"],
        title=row["title"],
        period=row["period"],
        kind=row["kind"],
        description=row["description"],
        metric=row["metric"],
        direction=row["direction"],
        target=_threshold(row["target"]),
        yellow=_threshold(row["yellow"]),
        filters={k: tuple(v) for k, v in json.loads(row["filters"]).items()},
        status=row["status"],
        comment=row["comment"],
        assessed=_day(row["assessed"]),
        removed=_day(row["removed"]),
        decision=row["decision"],
    )


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


def _changes(old: Goal | None, new: Goal) -> list[Change]:
    """Each field that differs, old and new as text (thresholds as JSON)."""
    new_row = goal_to_row(new)
    if old is None:
        return [
            ("created", None, json.dumps(goal_to_mapping(new), ensure_ascii=False, default=str))
        ]
    old_row = goal_to_row(old)
    return [
        (name, _text(old_row[name]), _text(new_row[name]))
        for name in _LOGGED_FIELDS
        if old_row[name] != new_row[name]
    ]


# -- definitions ----------------------------------------------------------------------


def list_goals(store: Store, project: str | None = None) -> list[Goal]:
    """The goals, in the order they were first defined."""
    return [goal_from_row(row) for row in GoalStore(store.engine).goal_rows(project)]


def get_goal(store: Store, goal_id: str) -> Goal:
    row = GoalStore(store.engine).goal_row(goal_id)
    if row is None:
        raise GoalNotFound(goal_id)
    return goal_from_row(row)


def _checked(goal: Goal) -> Goal:
    """Run a goal built in code or a form through the same checks as a file."""
    return check_goals([goal_to_mapping(goal)])[0]


def _authorised(store: Store, actor: User, target: str) -> str:
    """The actor's name for the log, once they are known to hold a role that edits goals."""
    return require(actor, Action.GOAL_EDIT, store, target).actor


def _save(store: Store, goals: list[Goal], actor: str, action: str) -> dict[str, int]:
    goal_store = GoalStore(store.engine)
    items: list[tuple[dict[str, Any], list[Change]]] = []
    for goal in goals:
        row = goal_store.goal_row(goal.id)
        old = None if row is None else goal_from_row(row)
        changes = _changes(old, goal)
        if changes:
            items.append((goal_to_row(goal), changes))
    created = goal_store.save_goals(items, actor=actor)
    counts = {
        "created": sum(created),
        "updated": len(created) - sum(created),
        "unchanged": len(goals) - len(created),
    }
    for (values, changes), new in zip(items, created, strict=True):
        store.audit(
            actor,
            "goal_create" if new else action,
            f"goal {values['id']}",
            {"project": values["project"], "changes": [list(c) for c in changes]},
        )
    return counts


def import_goals(store: Store, path: Path | str, actor: User) -> dict[str, int]:
    """Create or update the goals of a TOML file by id; refused whole when any is invalid.

    Returns how many goals were created, updated and left unchanged. Raises
    ``GoalDefinitionError`` (nothing stored) with one Swedish message per faulty goal.
    """
    who = _authorised(store, actor, f"goals {Path(path).name}")
    return _save(store, read_goals(path), who, "goal_edit")


def export_goals(store: Store, project: str | None = None) -> str:
    """Every goal as a TOML document that ``import_goals`` reads back to the same goals."""
    return goals_to_toml(list_goals(store, project))


def create_goal(store: Store, goal: Goal, actor: User) -> Goal:
    """Add a new goal; an id already in use is refused."""
    who = _authorised(store, actor, f"goal {goal.id}")
    checked = _checked(goal)
    if GoalStore(store.engine).goal_row(checked.id) is not None:
        raise GoalDefinitionError([f"Det finns redan ett mål med id '{checked.id}'."])
    _save(store, [checked], who, "goal_edit")
    return checked


def edit_goal(store: Store, goal: Goal, actor: User) -> Goal:
    """Replace a goal's definition. Each changed field is logged (who, when, old, new); the
    months already evaluated keep their status."""
    who = _authorised(store, actor, f"goal {goal.id}")
    get_goal(store, goal.id)
    checked = _checked(goal)
    _save(store, [checked], who, "goal_edit")
    return checked


def remove_goal(store: Store, goal_id: str, removed: date, decision: str, actor: User) -> Goal:
    """Mark a goal removed by a decision; it stays visible as *Utgått*."""
    who = _authorised(store, actor, f"goal {goal_id}")
    goal = replace(get_goal(store, goal_id), removed=removed, decision=decision.strip())
    checked = _checked(goal)
    _save(store, [checked], who, "goal_remove")
    return checked


def set_manual_status(
    store: Store, goal_id: str, status: str, comment: str, assessed: date, actor: User
) -> Goal:
    """Judge a manual goal by hand, with a dated comment."""
    who = _authorised(store, actor, f"goal {goal_id}")
    goal = get_goal(store, goal_id)
    if goal.kind != "manual":
        raise GoalDefinitionError(
            [f"Målet '{goal_id}' mäts med ett mått och bedöms inte för hand."]
        )
    if status not in MANUAL_STATUSES:
        raise GoalDefinitionError([f"Okänd status '{status}'."])
    checked = _checked(replace(goal, status=status, comment=comment.strip(), assessed=assessed))
    _save(store, [checked], who, "goal_status")
    return checked


def load_demo_goals(store: Store, actor: User | None = None) -> dict[str, int]:
    """The demo goals, loaded once: a store that has goals already is left alone.

    They are written by the demo's own system user unless ``actor`` is given."""
    if GoalStore(store.engine).goal_rows():
        return {"created": 0, "updated": 0, "unchanged": 0}
    return import_goals(store, DEMO_GOALS, actor or system_user(DEMO_ACTOR))


# -- evaluation -----------------------------------------------------------------------


def goal_selection(goal: Goal) -> Selection:
    """The goal's filters as a selection of its insats's cases (a yes/no field as Ja/Nej)."""
    chosen: list[tuple[str, tuple[Any, ...]]] = []
    for header, values in goal.filters.items():
        name = FILTER_FIELDS[header]
        yes_no = FIELDS_BY_NAME[name].kind == "yesno"
        chosen.append((name, tuple(v == "Ja" for v in values) if yes_no else tuple(values)))
    return Selection(choices=tuple(chosen))


def _metric_row(cases: pl.DataFrame, goal: Goal) -> dict[str, Any] | None:
    if goal.metric is None or cases.height == 0:
        return None
    return compute_metrics(cases, [goal.metric]).row(0, named=True)


def _definition(goal: Goal) -> str:
    row = goal_to_row(goal)
    keys = ("kind", "metric", "direction", "target", "yellow", "filters", "status", "removed")
    return json.dumps({k: _text(row[k]) for k in keys}, ensure_ascii=False)


class _Evaluator:
    """Evaluates goals on one load of the snapshots, storing months not stored yet."""

    def __init__(self, store: Store, goals: list[Goal]) -> None:
        self.goal_store = GoalStore(store.engine)
        projects = sorted({g.project for g in goals})
        frames = [store.load_snapshots(project=p) for p in projects]
        self.snapshots = {p: f for p, f in zip(projects, frames, strict=True)}
        self.months = {
            p: sorted(f.get_column(REPORT_MONTH_FIELD).unique().to_list())
            for p, f in self.snapshots.items()
        }
        stored = self.goal_store.statuses([g.id for g in goals]) if goals else []
        self.stored = {(r["goal_id"], r["report_month"]): r for r in stored}
        self._protected: dict[tuple, ProtectedCounts] = {}
        self.store = store
        self._costs: dict[tuple[str, int], pl.DataFrame] = {}
        self._all_snapshots: pl.DataFrame | None = None

    def month_snapshot(self, goal: Goal, month: str) -> pl.DataFrame:
        """The insats's snapshot of that month: what the goal's selection picks from."""
        frame = self.snapshots[goal.project]
        return frame.filter(pl.col(REPORT_MONTH_FIELD) == month)

    def month_cases(self, goal: Goal, month: str) -> pl.DataFrame:
        return select_cases(self.month_snapshot(goal, month), goal_selection(goal)).collect()

    def metric_row(self, goal: Goal, month: str) -> dict[str, Any] | None:
        """The goal's metric on the data of ``month``, unprotected (what is judged)."""
        if is_cost_metric(goal.metric):
            return self.cost_row(goal, month, threshold=0)
        return _metric_row(self.month_cases(goal, month), goal)

    def cost_row(self, goal: Goal, month: str, threshold: int) -> dict[str, Any] | None:
        """A cost goal's row: the cost of the year of ``month`` for the goal's insats, as of
        that month (``None`` without a budget or outcome for the year).

        The counts are the förbund's, protected together as on the Ekonomi page.
        """
        key = (month, threshold)
        if key not in self._costs:
            if self._all_snapshots is None:
                self._all_snapshots = self.store.load_snapshots()
            self._costs[key] = cost_figures_for(
                self.store,
                int(month[:4]),
                as_of=month,
                snapshots=self._all_snapshots,
                threshold=threshold,
            )
        rows = self._costs[key].filter(
            (pl.col("project") == goal.project) & (pl.col("metric") == goal.metric)
        )
        return rows.row(0, named=True) if rows.height else None

    def protection(self, goal: Goal, month: str | None, threshold: int) -> dict[str, Any]:
        """How the goal's figures are protected for small numbers in that month.

        The same protection as every page's: the goal's selection (its insats and filters)
        protected with all its linked tables, and against the insats without the filters.
        """
        if month is None or goal.metric is None or threshold <= 1:
            return {"hidden_reason": None, "denominator_hidden": False}
        if is_cost_metric(goal.metric):
            row = self.cost_row(goal, month, threshold)
            reason = None if row is None else row["hidden_reason"]
            return {"hidden_reason": reason, "denominator_hidden": reason is not None}
        key = (goal.project, month, json.dumps(goal_to_row(goal)["filters"]), threshold)
        if key not in self._protected:
            self._protected[key] = selection_protection(
                self.month_snapshot(goal, month), goal_selection(goal), threshold=threshold
            )
        protected = self._protected[key]
        _, denominator, _ = metric_counts(goal.metric)
        return {
            "hidden_reason": hidden_metric(goal.metric, (), protected, ()),
            "denominator_hidden": denominator is not None
            and protected.reason((), (), denominator) is not None,
        }

    def fill_history(self, goals: list[Goal]) -> None:
        """Evaluate and store every month with a snapshot that has no stored status yet."""
        at = datetime.now(UTC)
        new_rows = []
        for goal in goals:
            for month in self.months[goal.project]:
                if (goal.id, month) in self.stored:
                    continue
                result = evaluate(goal, self.metric_row(goal, month), month)
                row = {
                    "goal_id": goal.id,
                    "report_month": month,
                    "status": result.status,
                    "value": result.value,
                    "numerator": result.numerator,
                    "denominator": result.denominator,
                    "definition": _definition(goal),
                    "evaluated_at": at,
                }
                new_rows.append(row)
        if new_rows:
            self.goal_store.add_statuses(new_rows)
            # Re-read: another session may have stored some of these months first.
            stored = self.goal_store.statuses(sorted({r["goal_id"] for r in new_rows}))
            self.stored.update({(r["goal_id"], r["report_month"]): r for r in stored})

    def month_for(self, goal: Goal, month: str | None) -> str | None:
        """The project's newest report month up to ``month`` (the state as of then)."""
        months = [m for m in self.months[goal.project] if month is None or m <= month]
        return months[-1] if months else None

    def now(self, goal: Goal, month: str | None) -> Evaluation:
        """The current definition on the data of ``month`` (``None``: no data)."""
        if month is None:
            return evaluate(goal, None)
        return evaluate(goal, self.metric_row(goal, month))


def _figures(
    status: str, value: Any, numerator: Any, denominator: Any, protection: dict[str, Any]
) -> GoalFigures:
    hidden = protection["hidden_reason"] is not None
    return GoalFigures(
        value=None if hidden else value,
        numerator=None if hidden else numerator,
        denominator=None if protection["denominator_hidden"] else denominator,
        suppressed=hidden,
        hidden_reason=protection["hidden_reason"],
        status=status,
        label=STATUS_LABELS[status],
    )


def _json_threshold(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _record(goal: Goal, month: str | None, figures: GoalFigures) -> GoalStatus:
    return GoalStatus(
        id=goal.id,
        title=goal.title,
        project=goal.project,
        period=goal.period,
        kind=goal.kind,
        metric=goal.metric,
        direction=goal.direction,
        target=_json_threshold(goal.target),
        yellow=_json_threshold(goal.yellow),
        filter={k: list(v) for k, v in goal.filters.items()},
        month=month,
        **vars(figures),
        comment=goal.comment or None,
        assessed=goal.assessed.isoformat() if goal.assessed else None,
        decision=goal.decision or None,
        removed=goal.removed.isoformat() if goal.removed else None,
    )


def goal_statuses(
    store: Store,
    project: str | None = None,
    month: str | None = None,
    *,
    suppress: int = SUPPRESSION_THRESHOLD,
) -> list[GoalStatus]:
    """One record per goal: its definition, value, n and status (the JSON of the CLI).

    Without ``month``: the status now, by the goal's current definition on each project's
    newest snapshot. With ``month``: the status stored for that report month (each
    project's newest month up to it), evaluated and stored first if it never was. Either
    way every month with a snapshot gets its status stored. Counts under ``suppress`` are
    hidden (value and numerator become null, ``suppressed`` true).
    """
    goals = list_goals(store, project)
    evaluator = _Evaluator(store, goals)
    evaluator.fill_history(goals)
    records = []
    for goal in goals:
        at = evaluator.month_for(goal, month)
        stored = evaluator.stored.get((goal.id, at)) if month is not None else None
        if stored is not None:
            figures = _figures(
                stored["status"],
                stored["value"],
                stored["numerator"],
                stored["denominator"],
                evaluator.protection(goal, at, suppress),
            )
        else:
            result = evaluator.now(goal, at)
            figures = _figures(
                result.status,
                result.value,
                result.numerator,
                result.denominator,
                evaluator.protection(goal, at, suppress),
            )
        records.append(_record(goal, at, figures))
    return records


def _judged_against(definition: str | None) -> dict[str, Any]:
    """The thresholds a stored month was judged against, from its stored definition."""
    stored = json.loads(definition) if definition else {}
    if stored.get("kind", "measured") != "measured":
        return {"direction": None, "target": None, "yellow": None}
    return {
        "direction": stored.get("direction"),
        "target": _threshold(stored.get("target")),
        "yellow": _threshold(stored.get("yellow")),
    }


def goal_history(
    store: Store,
    project: str | None = None,
    *,
    suppress: int = SUPPRESSION_THRESHOLD,
    last: int | None = None,
    months: Collection[str] | None = None,
) -> dict[str, list[GoalMonth]]:
    """Each goal's stored monthly statuses, oldest first (months are stored on the way).

    ``months`` keeps those report months only and ``last`` each goal's newest months (what a
    page shows), so months not shown are not protected for nothing.
    """
    goals = {g.id: g for g in list_goals(store, project)}
    evaluator = _Evaluator(store, list(goals.values()))
    evaluator.fill_history(list(goals.values()))
    wanted = None if months is None else set(months)
    by_goal: dict[str, list[tuple[str, dict]]] = {g: [] for g in goals}
    for (goal_id, month), row in sorted(evaluator.stored.items()):
        if goal_id in by_goal and (wanted is None or month in wanted):
            by_goal[goal_id].append((month, row))
    history: dict[str, list[GoalMonth]] = {}
    for goal_id, rows in by_goal.items():
        kept = rows[-last:] if last else rows
        history[goal_id] = [
            GoalMonth(
                month=month,
                **vars(
                    _figures(
                        row["status"],
                        row["value"],
                        row["numerator"],
                        row["denominator"],
                        evaluator.protection(goals[goal_id], month, suppress),
                    )
                ),
                **_judged_against(row.get("definition")),
            )
            for month, row in kept
        ]
    return history


def status_months(store: Store, project: str | None = None) -> list[str]:
    """The report months that have a stored status for some goal (of ``project``), oldest
    first. Only what is stored: call ``goal_statuses`` or ``goal_history`` first to store
    the months not judged yet."""
    goal_ids = [g.id for g in list_goals(store, project)]
    if not goal_ids:
        return []
    rows = GoalStore(store.engine).statuses(goal_ids)
    return sorted({r["report_month"] for r in rows})


def goal_changes(store: Store, goal_id: str | None = None) -> list[dict[str, Any]]:
    """The logged edits of goals (who, when, field, old, new), newest first."""
    return GoalStore(store.engine).changes(goal_id)


def goals_summary(store: Store, project: str | None = None) -> GoalsSummary:
    """For the overview: how many goals are in each colour now, and the red ones."""
    records = goal_statuses(store, project)
    counts = {status: 0 for status in STATUSES}
    for record in records:
        counts[record.status] += 1
    return GoalsSummary(
        total=len(records),
        counts=counts,
        labels=dict(STATUS_LABELS),
        red=tuple(r for r in records if r.status == "red"),
    )
