"""Where the database is, how to open it, and bringing its schema up to date."""

from __future__ import annotations

import os
import threading
from pathlib import Path

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
    # A fresh connection per use: a pooled sqlite3 connection can go on seeing the file as
    # it was before a write made through the ADBC driver's own copy of SQLite.
    engine = sa.create_engine(parsed, poolclass=sa.NullPool)
    lock = sqlite_lock(parsed)

    @sa.event.listens_for(engine, "checkout")
    def _hold(*_args) -> None:  # type: ignore[no-untyped-def]
        lock.acquire()

    @sa.event.listens_for(engine, "checkin")
    def _release(*_args) -> None:  # type: ignore[no-untyped-def]
        lock.release()

    @sa.event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return engine


_SQLITE_LOCKS: dict[str, threading.RLock] = {}
_SQLITE_LOCKS_GUARD = threading.Lock()


def sqlite_lock(url: sa.URL) -> threading.RLock:
    """The one lock of this process for a SQLite file.

    Python's ``sqlite3`` and the ADBC driver each bring their own copy of SQLite, and the
    file locks SQLite relies on do not separate two copies within one process (POSIX locks
    belong to the process, and closing any handle drops them all). So within a process every
    use of the file, through either copy, takes this lock; between processes SQLite's own
    locking still applies.
    """
    key = str(Path(str(url.database)).resolve())
    with _SQLITE_LOCKS_GUARD:
        return _SQLITE_LOCKS.setdefault(key, threading.RLock())


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
