"""The budget tables: each insats's budget and outcome (utfall) per year, and their edits.

Amounts are whole kronor. An entry is keyed by (insats, year); each change of an amount is
written to ``budget_changes`` and to the audit log in the same transaction as the entry
itself, so a change is either stored and logged or not made at all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from store.store import _audit_insert
from store.tables import Id
from store.tables import metadata as store_metadata

#: Own metadata, as for the goal tables: the snapshot tables' drift check does not see it;
#: ``tests/test_budgets.py`` checks it against revision 0004 the same way.
metadata = sa.MetaData(naming_convention=store_metadata.naming_convention)

budgets = sa.Table(
    "budgets",
    metadata,
    sa.Column("project", sa.String(), primary_key=True),
    sa.Column("year", sa.Integer(), primary_key=True, autoincrement=False),
    sa.Column("budget_sek", sa.BigInteger(), nullable=True),
    sa.Column("outcome_sek", sa.BigInteger(), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_by", sa.String(), nullable=False),
)

budget_changes = sa.Table(
    "budget_changes",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("project", sa.String(), nullable=False),
    sa.Column("year", sa.Integer(), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor", sa.String(), nullable=False),
    sa.Column("field", sa.String(), nullable=False),
    sa.Column("old", sa.Text(), nullable=True),
    sa.Column("new", sa.Text(), nullable=True),
    sa.Index("ix_budget_changes_project_year", "project", "year"),
)

#: One changed field of an entry: (field, old value as text, new value as text).
Change = tuple[str, str | None, str | None]
#: The fields of an entry that hold values (the key is project and year).
VALUE_FIELDS: tuple[str, ...] = ("budget_sek", "outcome_sek")


def _utc(value: datetime | str) -> datetime:
    """SQLite keeps timestamps as naive UTC text; PostgreSQL returns them aware."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _row(row: Any) -> dict[str, Any]:
    found = dict(row)
    for name in ("created_at", "updated_at", "at"):
        if name in found:
            found[name] = _utc(found[name])
    return found


class BudgetStore:
    """Reads and writes the budget tables on the store's engine."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def rows(self, project: str | None = None, year: int | None = None) -> list[dict[str, Any]]:
        """Entries by insats and year."""
        query = sa.select(budgets).order_by(budgets.c.project, budgets.c.year)
        if project is not None:
            query = query.where(budgets.c.project == project)
        if year is not None:
            query = query.where(budgets.c.year == year)
        with self.engine.connect() as connection:
            return [_row(r) for r in connection.execute(query).mappings()]

    def row(self, project: str, year: int) -> dict[str, Any] | None:
        found = self.rows(project, year)
        return found[0] if found else None

    def save(
        self,
        items: Sequence[tuple[Mapping[str, Any], Sequence[Change]]],
        *,
        actor: str,
        at: datetime | None = None,
    ) -> list[bool]:
        """Create or update entries by (insats, year) with each changed field logged and
        audited (``budget_create`` or ``budget_edit``), all in one transaction. Returns, per
        entry, True when it was created."""
        at = at or datetime.now(UTC)
        created: list[bool] = []
        with self.engine.begin() as connection:
            for values, changes in items:
                new = self._save(connection, values, changes, actor, at)
                self._audit(
                    connection,
                    "budget_create" if new else "budget_edit",
                    values,
                    changes,
                    actor,
                    at,
                )
                created.append(new)
        return created

    @staticmethod
    def _audit(
        connection: sa.Connection,
        action: str,
        values: Mapping[str, Any],
        changes: Sequence[Change],
        actor: str,
        at: datetime,
    ) -> None:
        project, year = values["project"], values["year"]
        detail = {"project": project, "year": year, "changes": [list(c) for c in changes]}
        connection.execute(_audit_insert(at, actor, action, f"budget {project} {year}", detail))

    def _save(
        self,
        connection: sa.Connection,
        values: Mapping[str, Any],
        changes: Sequence[Change],
        actor: str,
        at: datetime,
    ) -> bool:
        key = (budgets.c.project == values["project"]) & (budgets.c.year == values["year"])
        amounts = {name: values.get(name) for name in VALUE_FIELDS}
        exists = connection.execute(sa.select(budgets.c.project).where(key)).first()
        if exists is None:
            connection.execute(
                sa.insert(budgets).values(
                    project=values["project"],
                    year=values["year"],
                    **amounts,
                    created_at=at,
                    updated_at=at,
                    updated_by=actor,
                )
            )
        else:
            connection.execute(
                sa.update(budgets).where(key).values(**amounts, updated_at=at, updated_by=actor)
            )
        self._log(connection, values["project"], values["year"], changes, actor, at)
        return exists is None

    def remove(self, project: str, year: int, changes: Sequence[Change], *, actor: str) -> bool:
        """Delete an entry, logging what it held; False when there was none."""
        at = datetime.now(UTC)
        key = (budgets.c.project == project) & (budgets.c.year == year)
        with self.engine.begin() as connection:
            deleted = connection.execute(sa.delete(budgets).where(key)).rowcount
            if deleted:
                self._log(connection, project, year, changes, actor, at)
                values = {"project": project, "year": year}
                self._audit(connection, "budget_remove", values, changes, actor, at)
        return bool(deleted)

    @staticmethod
    def _log(
        connection: sa.Connection,
        project: str,
        year: int,
        changes: Sequence[Change],
        actor: str,
        at: datetime,
    ) -> None:
        if not changes:
            return
        connection.execute(
            sa.insert(budget_changes),
            [
                {
                    "project": project,
                    "year": year,
                    "at": at,
                    "actor": actor,
                    "field": name,
                    "old": old,
                    "new": new,
                }
                for name, old, new in changes
            ],
        )

    def changes(self, project: str | None = None, year: int | None = None) -> list[dict[str, Any]]:
        """Logged changes, newest first."""
        query = sa.select(budget_changes).order_by(
            budget_changes.c.at.desc(), budget_changes.c.id.desc()
        )
        if project is not None:
            query = query.where(budget_changes.c.project == project)
        if year is not None:
            query = query.where(budget_changes.c.year == year)
        with self.engine.connect() as connection:
            return [_row(r) for r in connection.execute(query).mappings()]
