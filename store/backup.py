"""Backups of the SQLite store: taken while the app runs, checked before they are restored.

A backup is made with SQLite's online backup API in one step, so it is one consistent
moment of the database even while an import writes (WAL readers do not wait for the
writer, and the writer does not wait for them). Beside it lies ``FILE.sha256`` in
``sha256sum`` format; a restore refuses a file whose checksum does not match, that SQLite
finds damaged, or that is not a Lägesbild database. Before a restore, the current database
is copied beside itself, so a restore can be undone. PostgreSQL is backed up with
``pg_dump`` instead (see the README).
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import sqlalchemy as sa
from alembic.script import ScriptDirectory

from access.roles import Action, User, require
from store.database import alembic_config, at_head, upgrade
from store.errors import translated
from store.records import StoreError

if TYPE_CHECKING:
    from store.store import Store


T = TypeVar("T")
POSTGRES_ADVICE = (
    "Databasen är PostgreSQL: ta säkerhetskopior med pg_dump och läs tillbaka dem med "
    "pg_restore (se avsnittet Säkerhetskopior i README). Inget har gjorts."
)


class BackupRefused(StoreError):
    """A backup or restore that was not done; the message is Swedish and says why."""


@dataclass(frozen=True)
class Backup:
    """A backup file and what it holds."""

    path: Path
    checksum_path: Path
    sha256: str
    size: int
    imports: int
    case_rows: int
    seconds: float = 0.0


def checksum_path(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def file_sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _require_sqlite(store: Store) -> Path:
    if store.backend != "sqlite":
        raise BackupRefused(POSTGRES_ADVICE)
    return Path(str(sa.make_url(store.url).database)).resolve()


def _counts(connection: sqlite3.Connection) -> tuple[int, int]:
    imports = connection.execute("SELECT count(*) FROM imports").fetchone()[0]
    cases = connection.execute("SELECT count(*) FROM cases").fetchone()[0]
    return int(imports), int(cases)


def _copy_live(store: Store, target: Path) -> tuple[int, int]:
    """Copy the live database into ``target`` (which must not exist) in one backup step."""
    destination = sqlite3.connect(target)
    try:
        raw = store.engine.raw_connection()
        try:
            source = raw.driver_connection
            assert isinstance(source, sqlite3.Connection)
            # pages=-1: the whole database in one step, under one read transaction.
            source.backup(destination, pages=-1)
        finally:
            raw.close()
        # One self-contained file: no WAL beside the copy.
        destination.execute("PRAGMA journal_mode=DELETE")
        if destination.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise BackupRefused(f"Kopian {target.name} blev inte hel; ingen kopia sparades.")
        return _counts(destination)
    finally:
        destination.close()


def _write_atomically(path: Path, write: Callable[[Path], T]) -> T:
    """Write through a temporary file beside ``path``, so ``path`` is whole or absent."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        result = write(temporary)
        with temporary.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, path)
        return result
    finally:
        temporary.unlink(missing_ok=True)


def take_backup(store: Store, out: Path, actor: User) -> Backup:
    """Write a backup of the store to ``out`` and its checksum beside it; admin only."""
    who = require(actor, Action.BACKUP, store, out.name).actor
    _require_sqlite(store)
    out = out.resolve()
    for path in (out, checksum_path(out)):
        if path.exists():
            raise BackupRefused(f"Filen {path} finns redan; välj ett annat namn. Inget skrevs.")
    if not out.parent.is_dir():
        raise BackupRefused(f"Mappen {out.parent} finns inte. Inget skrevs.")
    started = time.perf_counter()
    with translated(str(out)):
        imports, case_rows = _write_atomically(out, lambda tmp: _copy_live(store, tmp))
        digest = file_sha256(out)
        checksum = checksum_path(out)
        _write_atomically(
            checksum,
            lambda tmp: tmp.write_text(f"{digest}  {out.name}\n", encoding="utf-8"),
        )
    backup = Backup(
        out, checksum, digest, out.stat().st_size, imports, case_rows,
        time.perf_counter() - started,
    )  # fmt: skip
    store.audit(
        who,
        "backup",
        out.name,
        {"sha256": digest, "bytes": backup.size, "imports": imports, "case_rows": case_rows},
    )
    return backup


def check_backup(store: Store, path: Path, actor: User) -> Backup:
    """The backup at ``path`` after checking it, ready to restore; ``BackupRefused`` when its
    checksum is missing or wrong, SQLite finds it damaged, or it is not Lägesbild's."""
    require(actor, Action.BACKUP, store, path.name)
    _require_sqlite(store)
    path = path.resolve()
    if not path.is_file():
        raise BackupRefused(f"Säkerhetskopian {path} finns inte. Inget har ändrats.")
    checksum = checksum_path(path)
    if not checksum.is_file():
        raise BackupRefused(
            f"Kontrollsumman {checksum.name} saknas bredvid säkerhetskopian, så den kan inte "
            "kontrolleras. Inget har ändrats."
        )
    written = checksum.read_text(encoding="utf-8").split()
    digest = file_sha256(path)
    if not written or written[0].lower() != digest:
        raise BackupRefused(
            f"Säkerhetskopian {path.name} stämmer inte med sin kontrollsumma ({checksum.name}): "
            "filen är ändrad eller skadad. Inget har ändrats."
        )
    not_ours = BackupRefused(
        f"{path.name} är ingen säkerhetskopia av Lägesbild (eller är skadad). Inget har ändrats."
    )
    try:
        connection = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        raise not_ours from None
    try:
        if connection.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise not_ours
        rows = connection.execute("SELECT version_num FROM alembic_version").fetchall()
        revisions = {row[0] for row in rows}
        imports, case_rows = _counts(connection)
    except sqlite3.Error:
        raise not_ours from None
    finally:
        connection.close()
    known = {s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
    if not revisions or not revisions <= known:
        raise BackupRefused(
            f"{path.name} kommer från en nyare version av Lägesbild än denna. Inget har ändrats."
        )
    return Backup(path, checksum, digest, path.stat().st_size, imports, case_rows)


def safety_copy_path(store: Store) -> Path:
    """Where the current database is copied before a restore."""
    database = _require_sqlite(store)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return database.with_name(f"{database.name}.fore-aterstallning-{stamp}")


def restore_backup(store: Store, backup: Backup, actor: User) -> Path:
    """Replace the store's content with a checked backup (``check_backup``); returns the
    copy of what was there before. The restore is written to the restored audit log."""
    who = require(actor, Action.BACKUP, store, backup.path.name).actor
    safety = safety_copy_path(store)
    with translated(store.where):
        _write_atomically(safety, lambda tmp: _copy_live(store, tmp))
        source = sqlite3.connect(f"{backup.path.as_uri()}?mode=ro", uri=True)
        try:
            raw = store.engine.raw_connection()
            try:
                destination = raw.driver_connection
                assert isinstance(destination, sqlite3.Connection)
                # The backup API writes into the live database under its write lock, so
                # readers and writers of other processes see either all of it or none.
                source.backup(destination, pages=-1)
            finally:
                raw.close()
        finally:
            source.close()
        if not at_head(store.engine):
            upgrade(store.engine)
    store.audit(
        who,
        "restore_backup",
        backup.path.name,
        {
            "sha256": backup.sha256,
            "imports": backup.imports,
            "case_rows": backup.case_rows,
            "previous_saved_as": safety.name,
        },
    )
    return safety
