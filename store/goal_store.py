"""The goal tables: definitions, each report month's evaluated status, and target edits.

Goal definitions are rows of plain values here (thresholds and filters as JSON text); the
``goals`` package turns them into ``Goal`` objects. A month's status is written once, the
first time that month is evaluated, and never updated: that is what lets the board see
how a goal moved even after its target was changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from store.tables import Id
from store.tables import metadata as store_metadata

#: The goal tables have metadata of their own, so the snapshot tables' drift check does not
#: see them; ``tests/test_goals_service.py`` checks these against revision 0002 the same way.
metadata = sa.MetaData(naming_convention=store_metadata.naming_convention)

goals = sa.Table(
    "goals",
    metadata,
    sa.Column("id", sa.String(60), primary_key=True),
    sa.Column("project", sa.String(), nullable=False, index=True),
    sa.Column("title", sa.String(), nullable=False),
    sa.Column("description", sa.Text(), nullable=False),
    sa.Column("period", sa.String(), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("metric", sa.String(), nullable=True),
    sa.Column("direction", sa.String(16), nullable=True),
    sa.Column("target", sa.Text(), nullable=True),  # JSON: a number or [lo, hi]
    sa.Column("yellow", sa.Text(), nullable=True),  # JSON: a number or [lo, hi]
    sa.Column("filters", sa.Text(), nullable=False),  # JSON: {"kommun": ["Sigtuna"]}
    sa.Column("status", sa.String(16), nullable=True),
    sa.Column("comment", sa.Text(), nullable=False),
    sa.Column("assessed", sa.Date(), nullable=True),
    sa.Column("removed", sa.Date(), nullable=True),
    sa.Column("decision", sa.Text(), nullable=False),
    sa.Column("position", sa.Integer(), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

goal_statuses = sa.Table(
    "goal_statuses",
    metadata,
    sa.Column(
        "goal_id",
        sa.String(60),
        sa.ForeignKey("goals.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("report_month", sa.String(7), primary_key=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("value", sa.Float(), nullable=True),
    sa.Column("numerator", sa.BigInteger(), nullable=True),
    sa.Column("denominator", sa.BigInteger(), nullable=True),
    sa.Column("definition", sa.Text(), nullable=False),  # JSON: the thresholds judged against
    sa.Column("evaluated_at", sa.DateTime(timezone=True), nullable=False),
)

goal_changes = sa.Table(
    "goal_changes",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column(
        "goal_id",
        sa.String(60),
        sa.ForeignKey("goals.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor", sa.String(), nullable=False),
    sa.Column("field", sa.String(), nullable=False),
    sa.Column("old", sa.Text(), nullable=True),
    sa.Column("new", sa.Text(), nullable=True),
)

#: One changed field of a goal: (field, old value as text, new value as text).
Change = tuple[str, str | None, str | None]


def _utc(value: datetime | str) -> datetime:
    """SQLite keeps timestamps as naive UTC text; PostgreSQL returns them aware."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class GoalStore:
    """Reads and writes the goal tables on the store's engine."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def goal_rows(self, project: str | None = None) -> list[dict[str, Any]]:
        """Every goal's row, in the order they were first defined."""
        query = sa.select(goals).order_by(goals.c.position, goals.c.id)
        if project is not None:
            query = query.where(goals.c.project == project)
        with self.engine.connect() as connection:
            return [dict(row) for row in connection.execute(query).mappings()]

    def goal_row(self, goal_id: str) -> dict[str, Any] | None:
        with self.engine.connect() as connection:
            row = connection.execute(sa.select(goals).where(goals.c.id == goal_id)).mappings()
            found = row.one_or_none()
        return None if found is None else dict(found)

    def save_goals(
        self,
        items: Sequence[tuple[Mapping[str, Any], Sequence[Change]]],
        *,
        actor: str,
        at: datetime | None = None,
    ) -> list[bool]:
        """Create or update goals by id with each changed field logged, all in one transaction.

        Returns, per goal, True when it was created.
        """
        at = at or datetime.now(UTC)
        created: list[bool] = []
        with self.engine.begin() as connection:
            for values, changes in items:
                created.append(self._save(connection, values, changes, actor, at))
        return created

    def _save(
        self,
        connection: sa.Connection,
        values: Mapping[str, Any],
        changes: Sequence[Change],
        actor: str,
        at: datetime,
    ) -> bool:
        exists = connection.execute(sa.select(goals.c.id).where(goals.c.id == values["id"])).first()
        if exists is None:
            position = connection.execute(
                sa.select(sa.func.coalesce(sa.func.max(goals.c.position), 0))
            ).scalar_one()
            connection.execute(
                sa.insert(goals).values(
                    **values, position=int(position) + 1, created_at=at, updated_at=at
                )
            )
        else:
            connection.execute(
                sa.update(goals).where(goals.c.id == values["id"]).values(**values, updated_at=at)
            )
        if changes:
            connection.execute(
                sa.insert(goal_changes),
                [
                    {
                        "goal_id": values["id"],
                        "at": at,
                        "actor": actor,
                        "field": name,
                        "old": old,
                        "new": new,
                    }
                    for name, old, new in changes
                ],
            )
        return exists is None

    def statuses(self, goal_ids: Iterable[str] | None = None) -> list[dict[str, Any]]:
        """Stored monthly statuses, by goal and month."""
        query = sa.select(goal_statuses).order_by(
            goal_statuses.c.goal_id, goal_statuses.c.report_month
        )
        if goal_ids is not None:
            query = query.where(goal_statuses.c.goal_id.in_(list(goal_ids)))
        with self.engine.connect() as connection:
            rows = [dict(row) for row in connection.execute(query).mappings()]
        for row in rows:
            row["evaluated_at"] = _utc(row["evaluated_at"])
        return rows

    def add_statuses(self, rows: Sequence[Mapping[str, Any]]) -> int:
        """Store monthly statuses not stored yet; a month already stored is left alone.

        Two sessions evaluating the same month at once both try to insert; the database
        keeps the first and ignores the second.
        """
        if not rows:
            return 0
        dialect = self.engine.dialect.name
        statement: sa.Insert
        if dialect == "postgresql":
            statement = postgresql.insert(goal_statuses).on_conflict_do_nothing()
        elif dialect == "sqlite":
            statement = sqlite.insert(goal_statuses).on_conflict_do_nothing()
        else:  # pragma: no cover - the store supports these two
            raise NotImplementedError(dialect)
        with self.engine.begin() as connection:
            result = connection.execute(statement, [dict(r) for r in rows])
        return max(result.rowcount, 0)

    def changes(self, goal_id: str | None = None) -> list[dict[str, Any]]:
        """Logged definition changes, newest first."""
        query = sa.select(goal_changes).order_by(goal_changes.c.at.desc(), goal_changes.c.id.desc())
        if goal_id is not None:
            query = query.where(goal_changes.c.goal_id == goal_id)
        with self.engine.connect() as connection:
            rows = [dict(row) for row in connection.execute(query).mappings()]
        for row in rows:
            row["at"] = _utc(row["at"])
        return rows
