"""Gallring: deleting a project's snapshots and goal history older than a date, for good.

A report month goes when the whole month lies before the date (``--before 2019-04-01``
and ``--before 2019-04-15`` both remove 2019-03 and keep 2019-04). Current and replaced
snapshots of those months go with their case rows; so do the project's goals' stored
monthly statuses for those months. Goal definitions, their edit log and the audit log stay:
they hold no case data and say who decided what.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from store.goal_store import goal_statuses, goals
from store.tables import cases, imports


@dataclass(frozen=True)
class PurgePlan:
    """What a purge removes (or removed): named so a person can confirm it."""

    project: str
    before: date
    months: tuple[str, ...]
    import_ids: tuple[int, ...]
    case_rows: int
    goal_statuses: int

    @property
    def cutoff_month(self) -> str:
        return cutoff_month(self.before)

    @property
    def is_empty(self) -> bool:
        return not self.import_ids and not self.goal_statuses

    def describe(self) -> str:
        """One Swedish sentence naming what goes."""
        if self.is_empty:
            return (
                f"Det finns inget för {self.project} från före {self.before.isoformat()} "
                "att gallra."
            )
        months = self.months[0] if len(self.months) == 1 else f"{self.months[0]}–{self.months[-1]}"
        return (
            f"{self.project}: {len(self.import_ids)} ögonblicksbilder "
            f"({months if self.months else 'inga månader'}) med {self.case_rows} ärenderader "
            f"och {self.goal_statuses} sparade månadsstatusar för mål, allt från före "
            f"{self.before.isoformat()}."
        )

    def as_detail(self) -> dict:
        return {
            "project": self.project,
            "before": self.before.isoformat(),
            "months": list(self.months),
            "imports": list(self.import_ids),
            "case_rows": self.case_rows,
            "goal_statuses": self.goal_statuses,
        }


def cutoff_month(before: date) -> str:
    """Months strictly before this ``ÅÅÅÅ-MM`` lie wholly before ``before``."""
    return before.strftime("%Y-%m")


def _goal_status_filter(project: str, cutoff: str) -> sa.ColumnElement[bool]:
    project_goals = sa.select(goals.c.id).where(goals.c.project == project)
    return sa.and_(
        goal_statuses.c.goal_id.in_(project_goals.scalar_subquery()),
        goal_statuses.c.report_month < cutoff,
    )


def plan_purge(connection: sa.Connection, project: str, before: date) -> PurgePlan:
    """What ``purge`` would remove now, read in the caller's transaction."""
    cutoff = cutoff_month(before)
    rows = connection.execute(
        sa.select(imports.c.id, imports.c.report_month, imports.c.rows)
        .where(imports.c.project == project, imports.c.report_month < cutoff)
        .order_by(imports.c.report_month, imports.c.id)
    ).all()
    ids = tuple(int(r.id) for r in rows)
    case_rows = 0
    if ids:
        case_rows = int(
            connection.execute(
                sa.select(sa.func.count()).select_from(cases).where(cases.c.import_id.in_(ids))
            ).scalar_one()
        )
    statuses = int(
        connection.execute(
            sa.select(sa.func.count())
            .select_from(goal_statuses)
            .where(_goal_status_filter(project, cutoff))
        ).scalar_one()
    )
    months = tuple(sorted({r.report_month for r in rows}))
    return PurgePlan(project, before, months, ids, case_rows, statuses)


def execute_purge(connection: sa.Connection, plan: PurgePlan) -> None:
    """Delete what the plan names, in the caller's transaction."""
    if plan.import_ids:
        ids = list(plan.import_ids)
        connection.execute(sa.delete(cases).where(cases.c.import_id.in_(ids)))
        # Links between snapshots of one month: cleared first so no row points at a
        # deleted one, whatever order the database deletes in.
        connection.execute(
            sa.update(imports).where(imports.c.replaced_by.in_(ids)).values(replaced_by=None)
        )
        connection.execute(sa.delete(imports).where(imports.c.id.in_(ids)))
    if plan.goal_statuses:
        connection.execute(
            sa.delete(goal_statuses).where(
                _goal_status_filter(plan.project, cutoff_month(plan.before))
            )
        )
