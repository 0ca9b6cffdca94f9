"""When the database itself says no: locked, read-only, full or out of reach.

SQLite (through ``sqlite3`` and ADBC), PostgreSQL (through psycopg and ADBC) and the file
system each report these in their own words. ``store_unavailable`` turns them into one
``StoreUnavailable`` with a Swedish sentence a user can act on; every such failure happens
inside a transaction that is rolled back, so the sentence can say that nothing changed.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

import sqlalchemy as sa

from store.records import StoreError

Kind = Literal["locked", "read_only", "disk_full", "io", "unreachable"]

#: How long a write waits for another writer before giving up (seconds):
#: ``LAGESBILD_LOCK_TIMEOUT``, else this.
DEFAULT_LOCK_TIMEOUT = 60.0

_MESSAGES: dict[Kind, str] = {
    "locked": (
        "Databasen {where} är upptagen av en annan skrivning (till exempel en import) och "
        "blev inte ledig inom {seconds} sekunder. Inget har ändrats; försök igen om en stund."
    ),
    "read_only": (
        "Databasen {where} är skrivskyddad: den går att läsa men inte ändra. Inget har "
        "ändrats. Ge Lägesbild skrivrätt till filen och mappen den ligger i."
    ),
    "disk_full": (
        "Disken för databasen {where} är full. Inget har sparats och det som fanns är "
        "oförändrat; frigör utrymme och försök igen."
    ),
    "io": (
        "Databasen {where} kunde inte läsas eller skrivas (fel i filsystemet). Inget har "
        "ändrats; kontrollera disken och försök igen."
    ),
    "unreachable": (
        "Databasen {where} går inte att nå. Inget har ändrats; kontrollera att "
        "databasservern är igång och att adressen stämmer."
    ),
}

# SQLite's result codes by name (sqlite3 gives ``sqlite_errorname``) and the texts its
# drivers put in messages (ADBC gives only the text).
_SQLITE_NAMES: dict[str, Kind] = {
    "SQLITE_BUSY": "locked",
    "SQLITE_LOCKED": "locked",
    "SQLITE_READONLY": "read_only",
    "SQLITE_CANTOPEN": "read_only",
    "SQLITE_PERM": "read_only",
    "SQLITE_FULL": "disk_full",
    "SQLITE_IOERR": "io",
}
_SQLITE_TEXTS: tuple[tuple[str, Kind], ...] = (
    ("database is locked", "locked"),
    ("database table is locked", "locked"),
    ("readonly database", "read_only"),
    ("read-only", "read_only"),
    ("unable to open database file", "read_only"),
    ("database or disk is full", "disk_full"),
    ("disk i/o error", "io"),
)
# PostgreSQL SQLSTATEs: disk full, read-only transaction, lock not available, a statement
# cancelled (lock_timeout), out of memory or connections.
_SQLSTATES: dict[str, Kind] = {
    "53100": "disk_full",
    "25006": "read_only",
    "55P03": "locked",
    "57014": "locked",
    "40P01": "locked",
    "53300": "unreachable",
    "57P01": "unreachable",
    "57P03": "unreachable",
}
_ERRNOS: dict[int, Kind] = {
    errno.ENOSPC: "disk_full",
    errno.EDQUOT: "disk_full",
    errno.EROFS: "read_only",
    errno.EACCES: "read_only",
    errno.EPERM: "read_only",
    errno.EIO: "io",
}


class StoreUnavailable(StoreError):
    """The database refused for a reason outside the request: ``kind`` says which."""

    def __init__(self, kind: Kind, where: str, message: str | None = None) -> None:
        self.kind = kind
        self.where = where
        text = message or _MESSAGES[kind].format(where=where, seconds=_seconds_text(lock_timeout()))
        super().__init__(text)


class ImportBusy(StoreUnavailable):
    """Another import of the same project and month holds the lock past the wait."""

    def __init__(self, where: str, projects: list[str], report_month: str) -> None:
        named = " och ".join(f"{p} {report_month}" for p in projects)
        super().__init__(
            "locked",
            where,
            f"En annan import av {named} pågår och blev inte klar inom "
            f"{_seconds_text(lock_timeout())} sekunder. Inget har ändrats; försök igen när "
            "den är klar.",
        )


def lock_timeout() -> float:
    """Seconds a writer waits for another: ``LAGESBILD_LOCK_TIMEOUT`` or 60."""
    try:
        value = float(os.environ.get("LAGESBILD_LOCK_TIMEOUT", DEFAULT_LOCK_TIMEOUT))
    except ValueError:
        return DEFAULT_LOCK_TIMEOUT
    return value if value > 0 else DEFAULT_LOCK_TIMEOUT


def _seconds_text(seconds: float) -> str:
    return f"{seconds:g}".replace(".", ",")


def where_text(url: sa.URL) -> str:
    """The database as a user knows it: the SQLite file, or host and name, no password."""
    if url.get_backend_name() == "sqlite":
        return str(url.database)
    return f"{url.host or 'localhost'}/{url.database or ''}"


def classify(exc: BaseException) -> Kind | None:
    """Which of the database's own refusals ``exc`` is, following its causes; else None."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        kind = _classify_one(current)
        if kind is not None:
            return kind
        if isinstance(current, sa.exc.DBAPIError) and current.orig is not None:
            current = current.orig
        else:
            current = current.__cause__ or current.__context__
    return None


def _classify_one(exc: BaseException) -> Kind | None:
    if isinstance(exc, StoreUnavailable):
        return exc.kind
    sqlstate = getattr(exc, "sqlstate", None)
    if isinstance(sqlstate, str) and sqlstate in _SQLSTATES:
        return _SQLSTATES[sqlstate]
    name = getattr(exc, "sqlite_errorname", None)
    if isinstance(name, str):
        for prefix, kind in _SQLITE_NAMES.items():
            if name == prefix or name.startswith(prefix + "_"):
                return kind
    module = type(exc).__module__ or ""
    if module.startswith(("sqlite3", "adbc_driver", "psycopg", "sqlalchemy")):
        text = str(exc).lower()
        for fragment, kind in _SQLITE_TEXTS:
            if fragment in text:
                return kind
        if module.startswith("psycopg") and type(exc).__name__ == "OperationalError":
            return "unreachable"
    if isinstance(exc, OSError) and exc.errno in _ERRNOS:
        return _ERRNOS[exc.errno]
    return None


def store_unavailable(exc: BaseException, where: str) -> StoreUnavailable | None:
    """``exc`` as a ``StoreUnavailable`` for ``where``, or None when it is something else."""
    if isinstance(exc, StoreUnavailable):
        return exc
    kind = classify(exc)
    return None if kind is None else StoreUnavailable(kind, where)


@contextmanager
def translated(where: str) -> Iterator[None]:
    """Raise the database's own refusals inside the block as ``StoreUnavailable``."""
    try:
        yield
    except StoreError:
        raise
    except Exception as exc:
        mapped = store_unavailable(exc, where)
        if mapped is None:
            raise
        raise mapped from exc
