"""A Parquet copy of each stored snapshot beside the database, for pages to scan lazily.

The database stays the only source of truth: a file here is one import's case rows exactly
as ``Store.load_import`` returns them, named by everything that identifies that import
(id, file checksum, project, month, rows, time of import) and the column layout. A file
that is missing is rebuilt from the database; one whose name no import matches any more
(purged, or a database restored from a backup) is deleted. Files are written to a temporary
name and renamed, so a reader never sees half a file. The files hold the same anonymised
rows as the database and go with them: a purge deletes the files of the imports it purges.

Pages scan the files with Polars, so a page reads only the months and columns it uses, and
no process keeps every month's rows in memory.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import polars as pl
import sqlalchemy as sa

from ingest import schema
from store.records import ImportRecord

#: Change when what a file holds changes; the column layout is part of every name anyway.
CACHE_FORMAT = 1
#: Where the caches of server databases (PostgreSQL) live; a SQLite file's is beside it.
CACHE_DIR_SETTING = "LAGESBILD_SNAPSHOT_CACHE"
REPO_ROOT = Path(__file__).resolve().parents[1]
#: A batch of imports read from the database at once while the cache is rebuilt: it bounds
#: the memory a rebuild takes.
_BUILD_BATCH_ROWS = 200_000
_SUFFIX = ".parquet"


def cache_directory(url: sa.URL) -> Path:
    """Beside a SQLite file (``lagesbild.db-snapshots``); for a server database (PostgreSQL)
    a folder per database under ``LAGESBILD_SNAPSHOT_CACHE``, else ``data/snapshot-cache``."""
    if url.get_backend_name() == "sqlite":
        path = Path(url.database or "")
        return path.parent / f"{path.name}-snapshots"
    digest = hashlib.sha256(url.render_as_string(hide_password=True).encode()).hexdigest()[:16]
    setting = os.environ.get(CACHE_DIR_SETTING)
    base = Path(setting) if setting else REPO_ROOT / "data" / "snapshot-cache"
    return base / digest


def _layout_tag() -> str:
    return ";".join(f"{name}:{dtype}" for name, dtype in schema.SNAPSHOT_DTYPES.items())


class SnapshotCache:
    """The Parquet files of one store's imports."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def path(self, record: ImportRecord) -> Path:
        """The file of one import: its id, then a digest of what identifies its rows."""
        identity = "\x1f".join(
            (
                str(CACHE_FORMAT),
                _layout_tag(),
                str(record.id),
                record.sha256,
                record.project,
                record.report_month,
                str(record.rows),
                record.imported_at.isoformat(),
            )
        )
        digest = hashlib.sha256(identity.encode()).hexdigest()[:20]
        return self.directory / f"{record.id}-{digest}{_SUFFIX}"

    def files(
        self,
        records: Sequence[ImportRecord],
        load: Callable[[Sequence[ImportRecord]], pl.DataFrame],
    ) -> list[Path] | None:
        """The files of these imports, building the missing ones with ``load``.

        ``None`` when the cache cannot be written here (a read-only place): then read the
        database instead.
        """
        paths = [self.path(r) for r in records]
        missing = [r for r, p in zip(records, paths, strict=True) if not p.exists()]
        try:
            for batch in _batches(missing):
                frame = load(batch)
                for record in batch:
                    self.write(record, frame.filter(pl.col("import_id") == record.id))
        except OSError:
            return None
        return paths

    def write(self, record: ImportRecord, rows: pl.DataFrame) -> None:
        """Store one import's rows (``SNAPSHOT_DTYPES``) under its name, atomically."""
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        target = self.path(record)
        temporary = self.directory / f".{uuid.uuid4().hex}.tmp"
        try:
            rows.select(
                pl.col(name).cast(dtype) for name, dtype in schema.SNAPSHOT_DTYPES.items()
            ).write_parquet(temporary, statistics=True)
            os.chmod(temporary, 0o600)
            os.replace(temporary, target)
        finally:
            with contextlib.suppress(FileNotFoundError):
                temporary.unlink()

    def keep_only(self, records: Iterable[ImportRecord]) -> None:
        """Delete every file that no import in ``records`` names, and temporary files
        left behind for an hour."""
        wanted = {self.path(r).name for r in records}
        if not self.directory.is_dir():
            return
        for entry in self.directory.iterdir():
            if entry.name in wanted or not entry.is_file():
                continue
            # Another process may be writing its temporary file right now.
            with contextlib.suppress(FileNotFoundError):
                if entry.name.startswith(".") and time.time() - entry.stat().st_mtime < 3600:
                    continue
                entry.unlink()

    def forget(self, import_ids: Iterable[int]) -> None:
        """Delete the files of these imports, whatever their names' digests."""
        prefixes = tuple(f"{i}-" for i in import_ids)
        if not prefixes or not self.directory.is_dir():
            return
        for entry in self.directory.iterdir():
            if entry.name.startswith(prefixes) and entry.is_file():
                with contextlib.suppress(FileNotFoundError):
                    entry.unlink()


def _batches(records: Sequence[ImportRecord]) -> list[list[ImportRecord]]:
    batches: list[list[ImportRecord]] = []
    rows = 0
    for record in records:
        if not batches or rows + record.rows > _BUILD_BATCH_ROWS:
            batches.append([])
            rows = 0
        batches[-1].append(record)
        rows += record.rows
    return batches
