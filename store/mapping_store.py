"""The mapping table: every saved version of each insats's mapping, never overwritten.

A mapping (see ``ingest.mapping``) is stored as JSON text in the TOML file's shape. Each
save that changes something adds a version; the older versions stay, so an import can be
traced to the mapping it was read with.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from store.tables import Id
from store.tables import metadata as store_metadata

#: Own metadata, as for the goal tables: the snapshot tables' drift check does not see it;
#: ``tests/test_mappings.py`` checks it against its revision the same way.
metadata = sa.MetaData(naming_convention=store_metadata.naming_convention)

mappings = sa.Table(
    "mappings",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("project", sa.String(), nullable=False, index=True),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.Column("definition", sa.Text(), nullable=False),  # JSON: the TOML file's shape
    sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("saved_by", sa.String(), nullable=False),
    sa.UniqueConstraint("project", "version"),
)


def _utc(value: datetime | str) -> datetime:
    """SQLite keeps timestamps as naive UTC text; PostgreSQL returns them aware."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _row(row: Any) -> dict[str, Any]:
    found = dict(row)
    found["saved_at"] = _utc(found["saved_at"])
    return found


class MappingStore:
    """Reads and writes mapping versions on the store's engine."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def latest(self, project: str) -> dict[str, Any] | None:
        query = (
            sa.select(mappings)
            .where(mappings.c.project == project)
            .order_by(mappings.c.version.desc())
            .limit(1)
        )
        with self.engine.connect() as connection:
            found = connection.execute(query).mappings().first()
        return None if found is None else _row(found)

    def versions(self, project: str) -> list[dict[str, Any]]:
        query = (
            sa.select(mappings).where(mappings.c.project == project).order_by(mappings.c.version)
        )
        with self.engine.connect() as connection:
            return [_row(r) for r in connection.execute(query).mappings()]

    def latest_all(self) -> list[dict[str, Any]]:
        """The newest version of every insats's mapping, by insats."""
        newest = (
            sa.select(mappings.c.project, sa.func.max(mappings.c.version).label("version"))
            .group_by(mappings.c.project)
            .subquery()
        )
        query = (
            sa.select(mappings)
            .join(
                newest,
                sa.and_(
                    mappings.c.project == newest.c.project,
                    mappings.c.version == newest.c.version,
                ),
            )
            .order_by(mappings.c.project)
        )
        with self.engine.connect() as connection:
            return [_row(r) for r in connection.execute(query).mappings()]

    def add_version(
        self, project: str, definition: str, saved_by: str, at: datetime | None = None
    ) -> int:
        """Store a new version and return its number. Two saves at once: the unique
        (project, version) lets only one take a number; the other raises and can retry."""
        at = at or datetime.now(UTC)
        with self.engine.begin() as connection:
            current = connection.execute(
                sa.select(sa.func.coalesce(sa.func.max(mappings.c.version), 0)).where(
                    mappings.c.project == project
                )
            ).scalar_one()
            version = int(current) + 1
            connection.execute(
                sa.insert(mappings).values(
                    project=project,
                    version=version,
                    definition=definition,
                    saved_at=at,
                    saved_by=saved_by,
                )
            )
        return version
