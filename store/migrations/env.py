"""Alembic environment: runs on the connection the store hands over, or on DATABASE_URL.

The store calls ``command.upgrade`` with ``config.attributes["connection"]`` set, so the
migration runs inside the store's own engine. From the command line (``alembic upgrade
head`` in the repository root) the URL comes from the same place the store takes it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

from store.database import database_url
from store.tables import metadata

config = context.config
target_metadata = metadata


def _run(connection: sa.Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things: batch mode lets later revisions change tables.
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url") or database_url(),
        target_metadata=target_metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = sa.create_engine(config.get_main_option("sqlalchemy.url") or database_url())
    try:
        with engine.begin() as own:
            _run(own)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
