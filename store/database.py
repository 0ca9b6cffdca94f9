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
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from store.errors import classify, lock_timeout, translated, where_text

REPO_ROOT = Path(__file__).resolve().parents[1]
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
DEFAULT_DATABASE = REPO_ROOT / "data" / "lagesbild.db"


def database_url(url: str | None = None) -> str:
    """The given URL, else ``DATABASE_URL``, else the SQLite file in ``data/`` of the repo."""
    return url or os.environ.get("DATABASE_URL") or f"sqlite:///{DEFAULT_DATABASE}"


def create_engine(url: str | sa.URL, *, read_only: bool = False) -> sa.Engine:
    """An engine for the store; SQLite gets WAL (readers beside one writer) and foreign keys.

    ``read_only`` opens a SQLite file with ``mode=ro`` (see ``open_engine``), and with
    ``immutable=1`` when even that cannot open it (a read-only directory without the WAL's
    shared-memory file).
    """
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
    factory = _locked_connection_class(sqlite_lock(parsed))
    if read_only:
        uri = sqlite_uri(parsed)
        # No pooling: a connection lives only while it is used (see ``sqlite_lock``).
        engine = sa.create_engine(
            "sqlite://",
            poolclass=sa.NullPool,
            creator=lambda: sqlite3.connect(uri, uri=True, factory=factory),
        )
    else:
        with translated(where_text(parsed)):
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        # No pooling: a connection lives only while it is used, and holds the file's lock
        # for its whole life (see ``sqlite_lock``). A writer waits ``lock_timeout()`` for
        # another before SQLite says the database is locked.
        engine = sa.create_engine(
            parsed,
            poolclass=sa.NullPool,
            connect_args={"factory": factory, "timeout": lock_timeout()},
        )

    @sa.event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        cursor = dbapi_connection.cursor()
        if not read_only:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            # Deleted rows are overwritten with zeros, so purged case data cannot be read
            # back from the file's free space (see ``Store.purge``).
            cursor.execute("PRAGMA secure_delete=ON")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return engine


def sqlite_uri(url: sa.URL) -> str:
    """The ``file:`` URI that opens this SQLite file read-only (``url``'s ``mode`` and
    ``immutable`` query parameters, as ``open_engine`` sets them)."""
    uri = Path(str(url.database)).resolve().as_uri() + "?mode=ro"
    if url.query.get("immutable") == "1":
        uri += "&immutable=1"
    return uri


def is_read_only(url: sa.URL) -> bool:
    return url.get_backend_name() == "sqlite" and url.query.get("mode") == "ro"


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


#: Key of the PostgreSQL advisory lock that lets one process at a time migrate.
_MIGRATION_LOCK = 0x4C41_4753_4D49_47  # "LAGSMIG"


def upgrade(engine: sa.Engine) -> None:
    """Apply every migration not yet applied (nothing happens when the schema is current).

    Two processes opening a new database at once would both create the tables. The second
    waits for the first (PostgreSQL: an advisory lock; SQLite: ``BEGIN IMMEDIATE``, the
    write lock taken before anything is read) and then finds the schema current, because
    Alembic reads the schema's version only after the lock is held.
    """
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(
                sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK}
            )
        elif connection.dialect.name == "sqlite":
            # Python's sqlite3 has not begun a transaction yet (it does so before the first
            # write), so this BEGIN is the transaction SQLAlchemy commits at the end.
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        command.upgrade(alembic_config(connection), "head")


def at_head(engine: sa.Engine) -> bool:
    """True when the schema is current, found by reading only (no transaction is written)."""
    heads = set(ScriptDirectory.from_config(alembic_config()).get_heads())
    with engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    return current == heads


def open_engine(url: str) -> tuple[sa.Engine, sa.URL]:
    """An engine on a current schema, and the URL the bulk path uses.

    Migrations run only when the schema is behind, so opening writes nothing otherwise. A
    SQLite file that cannot be opened for writing (a read-only file or directory) is opened
    read-only instead, when its schema is current: reading commands work, and a write is
    refused by SQLite with "readonly database" (``StoreUnavailable``).
    """
    parsed = sa.make_url(url)
    where = where_text(parsed)
    engine = create_engine(url)
    with translated(where):
        try:
            if not at_head(engine):
                upgrade(engine)
            return engine, engine.url
        except sa.exc.OperationalError as exc:
            engine.dispose()
            # Only a file SQLite may not write is opened read-only; a lock held by another
            # process opening the same new file is waited for, not taken for read-only.
            if (
                parsed.get_backend_name() != "sqlite"
                or not Path(str(parsed.database)).is_file()
                or classify(exc) != "read_only"
            ):
                raise
            error = exc
    for query in ({"mode": "ro"}, {"mode": "ro", "immutable": "1"}):
        if "immutable" in query and _wal_has_content(parsed):
            # Immutable skips the WAL: committed rows still in it would be missed.
            break
        read_url = parsed.update_query_dict(query)
        engine = create_engine(read_url, read_only=True)
        try:
            current = at_head(engine)
        except sa.exc.OperationalError:
            engine.dispose()
            continue
        if not current:
            engine.dispose()
            break
        return engine, read_url
    with translated(where):
        raise error


def _wal_has_content(url: sa.URL) -> bool:
    wal = Path(f"{url.database}-wal")
    return wal.is_file() and wal.stat().st_size > 0
