"""The bulk path: case rows in and out through ADBC, in one transaction with the small rows.

Row-by-row inserts through SQLAlchemy are far too slow for a million cases, so case rows go
through ``adbc_ingest`` (SQLite: prepared bulk insert; PostgreSQL: binary COPY). The import
rows and audit entries of the same import are written on the same ADBC connection, so the
whole import is one transaction. Those statements are still SQLAlchemy Core, compiled for
the ADBC driver's parameter style.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from functools import partial
from typing import Any

import adbc_driver_manager as adbc_errors
import polars as pl
import pyarrow as pa
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine.interfaces import Dialect
from sqlalchemy.sql.compiler import SQLCompiler

from store.database import is_read_only, sqlite_lock, sqlite_uri
from store.errors import lock_timeout

#: SQLite's ADBC driver guesses each column's type from the first batch of rows; a column
#: that is NULL throughout that batch and filled later fails. One batch per query (queries
#: are split into ranges instead) makes the guess see every value.
_SQLITE_BATCH_ROWS = str(2**31 - 2)


class BulkConnection:
    """One ADBC connection; with ``write`` a transaction is open until commit or rollback."""

    def __init__(self, url: sa.URL, *, write: bool = False) -> None:
        self.backend = url.get_backend_name()
        if self.backend == "sqlite":
            from adbc_driver_sqlite import dbapi as sqlite_driver

            # Transactions are opened by hand: the settings below cannot change inside one,
            # and BEGIN IMMEDIATE takes the write lock before any work is done.
            target = sqlite_uri(url) if is_read_only(url) else str(url.database)
            self._conn: Any = sqlite_driver.connect(target, autocommit=True)
            self._dialect: Dialect = sqlite.dialect()
            self._in_transaction = False
            try:
                self._prepare_sqlite(write)
            except BaseException:
                self._conn.close()
                raise
        elif self.backend == "postgresql":
            from adbc_driver_postgresql import dbapi as postgresql_driver

            self._conn = postgresql_driver.connect(_libpq_uri(url))
            self._dialect = postgresql.psycopg.dialect(paramstyle="numeric_dollar")
        else:
            raise ValueError(f"Databastypen {self.backend} stöds inte (SQLite, PostgreSQL).")

    def _prepare_sqlite(self, write: bool) -> None:
        self.execute_sql(f"PRAGMA busy_timeout = {int(lock_timeout() * 1000)}")
        # In WAL mode NORMAL is safe from corruption and skips an fsync per commit.
        self.execute_sql("PRAGMA synchronous = NORMAL")
        if write:
            # Room for the pages a large import touches, instead of spilling them early.
            self.execute_sql("PRAGMA cache_size = -65536")
            self.execute_sql("BEGIN IMMEDIATE")
            self._in_transaction = True

    def execute(self, statement: sa.ClauseElement) -> list[tuple[Any, ...]]:
        """Run a Core statement; rows it returns (RETURNING, SELECT) as tuples."""
        compiled = statement.compile(dialect=self._dialect)
        # A Core statement compiled for a dialect always gets that dialect's SQL compiler.
        assert isinstance(compiled, SQLCompiler)
        params = compiled.construct_params()
        values = []
        for name in compiled.positiontup or ():
            bind = compiled.binds[name]
            process = bind.type.dialect_impl(self._dialect).bind_processor(self._dialect)
            value = params[name]
            values.append(process(value) if process else value)
        return self.execute_sql(str(compiled), values)

    def execute_sql(self, sql: str, values: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._conn.cursor() as cursor:
            cursor.execute(sql, list(values) if values else None)
            return list(cursor.fetchall()) if cursor.description else []

    def ingest(self, table: str, frame: pl.DataFrame) -> int:
        """Append a frame whose columns match ``table``'s (names and SQL types)."""
        if self.backend == "sqlite":
            # SQLite keeps dates as ISO text either way; Polars formats them faster than the
            # driver does row by row.
            frame = frame.with_columns(pl.col(pl.Date).dt.to_string("%Y-%m-%d"))
        with self._conn.cursor() as cursor:
            return cursor.adbc_ingest(table, frame.to_arrow(), mode="append")

    def read_arrow(self, sql: str) -> pa.Table:
        with self._conn.cursor() as cursor:
            if self.backend == "sqlite":
                cursor.adbc_statement.set_options(
                    **{"adbc.sqlite.query.batch_rows": _SQLITE_BATCH_ROWS}
                )
            cursor.execute(sql)
            return cursor.fetch_arrow_table()

    def commit(self) -> None:
        if self.backend != "sqlite":
            self._conn.commit()
        elif self._in_transaction:
            self.execute_sql("COMMIT")
            self._in_transaction = False

    def rollback(self) -> None:
        if self.backend != "sqlite":
            self._conn.rollback()
        elif self._in_transaction:
            self._in_transaction = False
            # SQLite may have rolled back on its own already (e.g. disk full).
            with suppress(adbc_errors.Error):
                self.execute_sql("ROLLBACK")

    def close(self) -> None:
        self._conn.close()


def load_driver(url: sa.URL) -> None:
    """Import the ADBC driver now, so the first import does not pay for loading it."""
    if url.get_backend_name() == "sqlite":
        import adbc_driver_sqlite.dbapi  # noqa: F401
    elif url.get_backend_name() == "postgresql":
        import adbc_driver_postgresql.dbapi  # noqa: F401


def _libpq_uri(url: sa.URL) -> str:
    """libpq understands ``postgresql://`` URIs; SQLAlchemy adds the driver name."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def _exclusive(url: sa.URL) -> Iterator[None]:
    """Within this process, SQLite files are used by one thread at a time (see
    ``store.database.sqlite_lock``); PostgreSQL needs no such care."""
    if url.get_backend_name() != "sqlite":
        yield
        return
    with sqlite_lock(url):
        yield


@contextmanager
def transaction(url: sa.URL) -> Iterator[BulkConnection]:
    """All or nothing: committed when the block ends, rolled back when it raises."""
    with _exclusive(url):
        connection = BulkConnection(url, write=True)
        try:
            yield connection
            connection.commit()
        except BaseException:
            connection.rollback()
            raise
        finally:
            connection.close()


def _read_one(url: sa.URL, sql: str) -> pa.Table:
    connection = BulkConnection(url)
    try:
        return connection.read_arrow(sql)
    finally:
        connection.rollback()
        connection.close()


def read_parallel(url: sa.URL, queries: Sequence[str], workers: int = 2) -> list[pa.Table]:
    """Run read queries on parallel connections, results in the order of ``queries``.

    The drivers release the GIL while they fetch, and SQLite in WAL mode and PostgreSQL
    both serve concurrent readers: on two cores two ranges read in about half the time.
    """
    with _exclusive(url):
        if len(queries) <= 1 or workers <= 1:
            return [_read_one(url, sql) for sql in queries]
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(partial(_read_one, url), queries))
