"""Where the database is, how to open it, and bringing its schema up to date."""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

REPO_ROOT = Path(__file__).resolve().parents[1]
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
DEFAULT_DATABASE = REPO_ROOT / "data" / "lagesbild.db"


def database_url(url: str | None = None) -> str:
    """The given URL, else ``DATABASE_URL``, else the SQLite file in ``data/`` of the repo."""
    return url or os.environ.get("DATABASE_URL") or f"sqlite:///{DEFAULT_DATABASE}"


def create_engine(url: str) -> sa.Engine:
    """An engine for the store; SQLite gets WAL (readers beside one writer) and foreign keys."""
    parsed = sa.make_url(url)
    if parsed.drivername == "postgresql":
        # The installed driver is psycopg 3; SQLAlchemy would otherwise look for psycopg2.
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() != "sqlite":
        return sa.create_engine(parsed, pool_pre_ping=True)
    database = parsed.database
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        raise ValueError(
            "Lagret behöver en SQLite-fil, inte en databas i minnet: "
            "ange till exempel sqlite:///data/lagesbild.db."
        )
    Path(database).parent.mkdir(parents=True, exist_ok=True)
    # No pooling: a connection lives only while it is used, and holds the file's lock for
    # its whole life (see ``sqlite_lock``).
    engine = sa.create_engine(
        parsed,
        poolclass=sa.NullPool,
        connect_args={"factory": _locked_connection_class(sqlite_lock(parsed))},
    )

    @sa.event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return engine


_SQLITE_LOCKS: dict[str, threading.RLock] = {}
_SQLITE_LOCKS_GUARD = threading.Lock()


def sqlite_lock(url: sa.URL) -> threading.RLock:
    """The one lock of this process for a SQLite file.

    Python's ``sqlite3`` and the ADBC driver each bring their own copy of SQLite. SQLite
    keeps its connections within one process apart by bookkeeping inside the library, not by
    file locks (POSIX locks belong to the process, and closing any handle drops them all),
    so two copies cannot see each other: a connection of one copy that closes believes it
    is the last one and removes the WAL file under the other copy's feet. Hence, within a
    process, connections of only one copy are open at a time: each connection is opened and
    closed while holding this lock. Between processes SQLite's own locking applies.
    """
    key = str(Path(str(url.database)).resolve())
    with _SQLITE_LOCKS_GUARD:
        return _SQLITE_LOCKS.setdefault(key, threading.RLock())


def _locked_connection_class(lock: threading.RLock) -> type[sqlite3.Connection]:
    """``sqlite3`` connections that hold ``lock`` from opening until they are closed."""

    class LockedConnection(sqlite3.Connection):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            lock.acquire()
            self._holds_lock = True
            try:
                super().__init__(*args, **kwargs)
            except BaseException:
                self._release()
                raise

        def _release(self) -> None:
            if self._holds_lock:
                self._holds_lock = False
                lock.release()

        def close(self) -> None:
            try:
                super().close()
            finally:
                self._release()

    return LockedConnection


def alembic_config(connection: sa.Connection | None = None) -> Config:
    """A programmatic Alembic config; with a connection, migrations run on it."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(engine: sa.Engine) -> None:
    """Apply every migration not yet applied (nothing happens when the schema is current)."""
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")
