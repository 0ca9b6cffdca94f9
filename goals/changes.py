"""Goals that changed colour since the month before, from their stored monthly statuses."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from goals.model import Goal
from goals.records import GoalMonth


@dataclass(frozen=True)
class ColourChange:
    """A goal whose stored status in its newest month differs from the month before."""

    goal_id: str
    title: str
    project: str
    before: str
    after: str
    month_before: str
    month: str


def colour_changes(
    goals: Sequence[Goal], history: Mapping[str, Sequence[GoalMonth]]
) -> list[ColourChange]:
    """Per goal still in force, its two newest stored months when their statuses differ.

    Only what was stored is compared (the board's record), never a fresh evaluation.
    """
    changes = []
    for goal in goals:
        months = history.get(goal.id, [])
        if goal.is_removed or len(months) < 2:
            continue
        before, now = months[-2], months[-1]
        if before.status != now.status:
            changes.append(
                ColourChange(
                    goal.id,
                    goal.title,
                    goal.project,
                    before.status,
                    now.status,
                    before.month,
                    now.month,
                )
            )
    return changes


def colour_changes_sentence(changes: Sequence[ColourChange]) -> str:
    """'2 mål har bytt färg sedan förra månaden.' or that none has."""
    if not changes:
        return "Inget mål har bytt färg sedan förra månaden."
    if len(changes) == 1:
        return "1 mål har bytt färg sedan förra månaden."
    return f"{len(changes)} mål har bytt färg sedan förra månaden."
