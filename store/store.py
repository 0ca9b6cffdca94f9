"""The store: snapshots of case exports, their history, and the audit trail."""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import re
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, time
from typing import Any

import polars as pl
import pyarrow as pa
import sqlalchemy as sa

from ingest import schema
from ingest.guard import mask_value
from store import bulk, frames, retention
from store.database import database_url, open_engine
from store.errors import ImportBusy, StoreUnavailable, lock_timeout, translated, where_text
from store.records import (
    CURRENT,
    DEMO_ACTOR,
    REPLACED,
    AlreadyImported,
    ImportNotFound,
    ImportRecord,
    SnapshotExists,
)
from store.snapshot_cache import SnapshotCache, cache_directory
from store.tables import ROW_NUMBER, audit_log, imports
from store.tables import cases as case_table

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")

#: Below this many rows a read is not worth splitting across connections.
_MIN_RANGE_ROWS = 100_000


class Store:
    """Imports, the case rows of each import, and the audit log, in one database.

    Opening a store brings its schema up to date (a SQLite file that cannot be written is
    opened read-only). Case rows move through ADBC (see ``store.bulk``); everything else
    through SQLAlchemy Core. When the database itself refuses (locked, read-only, disk full,
    out of reach) the store raises ``StoreUnavailable`` with a Swedish message.

    Writes to one project and month are serialised: SQLite has one writer at a time
    (``BEGIN IMMEDIATE``), PostgreSQL takes a transaction-level advisory lock per project
    and month. Each write re-reads what it depends on after it has the lock.
    """

    def __init__(self, url: str | None = None) -> None:
        self.url: str = database_url(url)
        self.where = where_text(sa.make_url(self.url))
        self.engine, self._bulk_url = open_engine(self.url)
        self.backend: str = self.engine.dialect.name
        bulk.load_driver(self._bulk_url)
        self._read_workers = max(1, min(4, os.cpu_count() or 1))
        self.snapshot_cache = SnapshotCache(cache_directory(sa.make_url(self.url)))

    def close(self) -> None:
        self.engine.dispose()

    # -- imports -----------------------------------------------------------------------

    def imports_with_sha256(self, sha256: str) -> list[ImportRecord]:
        return self._records(sa.select(imports).where(imports.c.sha256 == sha256))

    def current_import(self, project: str, report_month: str) -> ImportRecord | None:
        found = self._records(
            sa.select(imports).where(
                imports.c.project == project,
                imports.c.report_month == report_month,
                imports.c.status == CURRENT,
            )
        )
        return found[0] if found else None

    def history(self) -> list[ImportRecord]:
        """Every import, current and replaced, newest first."""
        return self._records(
            sa.select(imports).order_by(imports.c.imported_at.desc(), imports.c.id.desc())
        )

    def is_empty(self) -> bool:
        """True when there is no current snapshot, so nothing to show."""
        with self.engine.connect() as connection:
            first = connection.execute(
                sa.select(imports.c.id).where(imports.c.status == CURRENT).limit(1)
            ).first()
        return first is None

    def known_projects(self) -> list[str]:
        """Every project name an import has held, current or replaced, sorted."""
        with self.engine.connect() as connection:
            names = connection.execute(sa.select(imports.c.project).distinct()).scalars()
            return sorted(names)

    def has_demo_data(self) -> bool:
        with self.engine.connect() as connection:
            first = connection.execute(
                sa.select(imports.c.id)
                .where(imports.c.status == CURRENT, imports.c.imported_by == DEMO_ACTOR)
                .limit(1)
            ).first()
        return first is not None

    def save_snapshots(
        self,
        *,
        file_name: str,
        sha256: str,
        report_month: str,
        cases: pl.DataFrame,
        imported_by: str,
        replace: bool,
        once: bool = False,
    ) -> list[ImportRecord]:
        """Store one file's cases as one snapshot per project, all or nothing.

        Raises ``SnapshotExists`` (nothing stored) when a project already has a current
        snapshot for the month and ``replace`` is false; with ``replace`` the old snapshot
        is kept as 'replaced' and can be restored. With ``once``, a file whose SHA-256 is
        already stored (checked after the lock is taken, so a parallel import of the same
        file is seen) raises ``AlreadyImported`` and stores nothing.
        """
        if not _MONTH.match(report_month):
            raise ValueError(f"Ogiltig rapportmånad '{report_month}': ange den som ÅÅÅÅ-MM.")
        # A file name is the user's text: whatever it holds, it is stored masked.
        file_name = mask_value(file_name)
        canonical = frames.canonical_cases(cases)
        counts = canonical.group_by("project").len().sort("project")
        if counts.is_empty():
            raise ValueError("Filen har inga fall att spara.")
        at = datetime.now(UTC)
        saved: list[ImportRecord] = []
        projects = counts.get_column("project").to_list()
        with self._bulk_writing(projects, report_month) as db:
            # Another import may have stored these same bytes while this one waited for
            # the lock: then there is nothing to do.
            already = (
                db.execute(sa.select(*imports.c).where(imports.c.sha256 == sha256)) if once else []
            )
            if already:
                raise AlreadyImported([_record(_Row(*row)) for row in already])
            existing = {
                project: rows[0]
                for project in counts.get_column("project")
                if (rows := self._current_rows(db, project, report_month))
            }
            if existing and not replace:
                raise SnapshotExists([_record(row) for row in existing.values()])
            for project, rows in counts.iter_rows():
                old = existing.get(project)
                if old is not None:
                    # The old one must stop being current first: the unique index allows
                    # one current snapshot per project and month at any moment.
                    db.execute(
                        sa.update(imports).where(imports.c.id == old.id).values(status=REPLACED)
                    )
                values = {
                    "file_name": file_name,
                    "sha256": sha256,
                    "project": project,
                    "report_month": report_month,
                    "rows": rows,
                    "imported_by": imported_by,
                    "imported_at": at,
                    "status": CURRENT,
                }
                (new_id,) = db.execute(sa.insert(imports).values(values).returning(imports.c.id))[0]
                record = ImportRecord(id=int(new_id), **values)
                if old is not None:
                    db.execute(
                        sa.update(imports).where(imports.c.id == old.id).values(replaced_by=new_id)
                    )
                saved.append(record)
                db.execute(
                    _audit_insert(
                        at,
                        imported_by,
                        "replace" if old is not None else "import",
                        f"import {record.id}",
                        {
                            "file_name": file_name,
                            "sha256": sha256,
                            "project": project,
                            "report_month": report_month,
                            "rows": rows,
                            **({"replaced_import": old.id} if old is not None else {}),
                        },
                    )
                )
            ids = {record.project: record.id for record in saved}
            db.ingest(case_table.name, frames.rows_for_ingest(canonical, ids))
        self._cache_saved(saved, canonical)
        return saved

    def _cache_saved(self, saved: Sequence[ImportRecord], canonical: pl.DataFrame) -> None:
        """Write the new snapshots' Parquet files from the rows in hand. The import has
        committed already: a file that cannot be written is built from the database later."""
        try:
            for record in saved:
                rows = canonical.filter(pl.col("project") == record.project).with_columns(
                    pl.lit(record.report_month).alias("report_month"),
                    pl.lit(record.id, dtype=pl.Int64).alias("import_id"),
                )
                self.snapshot_cache.write(record, rows)
        except OSError:
            pass

    def restore(self, import_id: int, restored_by: str) -> ImportRecord:
        """Make an import current again; the one current for its project and month is kept
        as 'replaced'. Logged as ``restore`` by ``restored_by``, in the same transaction.

        Who may restore is checked by the caller, ``imports.service.restore_import``.
        """
        who = restored_by
        at = datetime.now(UTC)
        with translated(self.where), self.engine.connect() as connection:
            row = connection.execute(
                sa.select(imports.c.project, imports.c.report_month).where(
                    imports.c.id == import_id
                )
            ).one_or_none()
        if row is None:
            raise ImportNotFound(import_id)
        with self._writing([row.project], row.report_month) as connection:
            row = connection.execute(
                sa.select(imports).where(imports.c.id == import_id)
            ).one_or_none()
            if row is None:
                raise ImportNotFound(import_id)
            target = _record(row)
            if target.status == CURRENT:
                return target
            previous = connection.execute(
                sa.select(imports.c.id).where(
                    imports.c.project == target.project,
                    imports.c.report_month == target.report_month,
                    imports.c.status == CURRENT,
                )
            ).scalar_one_or_none()
            if previous is not None:
                connection.execute(
                    sa.update(imports)
                    .where(imports.c.id == previous)
                    .values(status=REPLACED, replaced_by=import_id)
                )
            connection.execute(
                sa.update(imports)
                .where(imports.c.id == import_id)
                .values(status=CURRENT, replaced_by=None)
            )
            connection.execute(
                _audit_insert(
                    at,
                    who,
                    "restore",
                    f"import {import_id}",
                    {
                        "project": target.project,
                        "report_month": target.report_month,
                        "replaced_import": previous,
                    },
                )
            )
            restored = connection.execute(sa.select(imports).where(imports.c.id == import_id)).one()
        return _record(restored)

    # -- retention (gallring) ----------------------------------------------------------

    def purge_plan(self, project: str, before: date) -> retention.PurgePlan:
        """What ``purge`` would delete now: shown to an administrator to confirm."""
        with self.engine.connect() as connection:
            return retention.plan_purge(connection, project, before)

    def purge(self, project: str, before: date, purged_by: str) -> retention.PurgePlan:
        """Delete for good the project's snapshots of months wholly before ``before``, their
        case rows and its goals' monthly statuses for those months; nothing newer.

        Logged as ``purge`` by ``purged_by`` with when, what and how many rows, in the same
        transaction; returns what went. Who may purge is checked by the caller,
        ``imports.service.purge``.
        """
        who = purged_by
        at = datetime.now(UTC)
        with self._writing() as connection:
            plan = retention.plan_purge(connection, project, before)
            retention.execute_purge(connection, plan)
            connection.execute(
                _audit_insert(at, who, "purge", f"project {project}", plan.as_detail())
            )
        self.snapshot_cache.forget(plan.import_ids)
        if self.backend == "sqlite" and not plan.is_empty:
            self._erase_remnants()
        return plan

    def _erase_remnants(self) -> None:
        """Rewrite the SQLite file without the purged rows, and empty its WAL.

        ``secure_delete`` zeroes the cells a purge deletes, but copies of rows can linger in
        the unused space of pages still in use (left there when pages were split or merged
        on import). ``VACUUM`` rebuilds every page from the rows that remain; the checkpoint
        then moves the rebuilt pages into the main file and truncates the WAL, which still
        held earlier versions of the pages. TRUNCATE waits for readers (busy timeout).
        """
        with translated(self.where), self.engine.connect() as connection:
            connection.exec_driver_sql("VACUUM")
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").all()

    # -- case rows ---------------------------------------------------------------------

    def load_snapshots(self, project: str | None = None) -> pl.DataFrame:
        """Every current snapshot of every month (the trend base), ``SNAPSHOT_DTYPES``."""
        query = sa.select(imports).where(imports.c.status == CURRENT)
        if project is not None:
            query = query.where(imports.c.project == project)
        return self._load(self._records(query.order_by(imports.c.id)))

    def scan_snapshots(self) -> pl.LazyFrame:
        """The same rows as ``load_snapshots()``, as a lazy scan of the Parquet cache.

        A query on the scan reads only the columns it uses, and skips months it filters
        out. Missing files are built from the database first; where the cache cannot be
        written, the rows are read from the database into memory instead.
        """
        records = self._records(
            sa.select(imports).where(imports.c.status == CURRENT).order_by(imports.c.id)
        )
        if not records:
            return frames.empty_snapshot().lazy()
        files = self.snapshot_cache.files(records, self._load)
        if files is None:
            return self._load(records).lazy()
        with contextlib.suppress(OSError):
            self.snapshot_cache.keep_only(self._records(sa.select(imports)))
        return pl.scan_parquet(files, schema=schema.SNAPSHOT_DTYPES)

    def load_import(self, import_id: int) -> pl.DataFrame:
        """The case rows of one import, current or replaced, ``SNAPSHOT_DTYPES``."""
        found = self._records(sa.select(imports).where(imports.c.id == import_id))
        if not found:
            raise ImportNotFound(import_id)
        return self._load(found)

    def _load(self, records: Sequence[ImportRecord]) -> pl.DataFrame:
        if not records:
            return frames.empty_snapshot()
        queries = [self._compile(q) for q in _range_queries(records, self._read_workers)]
        tables = bulk.read_parallel(self._bulk_url, queries, self._read_workers)
        read = pl.from_arrow(pa.concat_tables(tables, promote_options="permissive"))
        assert isinstance(read, pl.DataFrame)
        months = {r.id: r.report_month for r in records}
        with_month = read.with_columns(
            pl.col("import_id")
            .cast(pl.Int64)
            .replace_strict(months, return_dtype=pl.String)
            .alias("report_month")
        )
        return frames.conform(with_month, schema.SNAPSHOT_DTYPES)

    def _compile(self, query: sa.Select) -> str:
        # Only integers from the imports table are bound here, so inlining them is safe.
        return str(
            query.compile(dialect=self.engine.dialect, compile_kwargs={"literal_binds": True})
        )

    # -- audit -------------------------------------------------------------------------

    def audit(self, actor: str, action: str, target: str, detail: dict | None = None) -> None:
        with translated(self.where), self.engine.begin() as connection:
            connection.execute(_audit_insert(datetime.now(UTC), actor, action, target, detail))

    def audit_entries(self, since: date | None = None) -> list[dict]:
        """Audit entries, newest first; ``since`` keeps those from that day (UTC) on."""
        query = sa.select(audit_log).order_by(audit_log.c.at.desc(), audit_log.c.id.desc())
        if since is not None:
            query = query.where(audit_log.c.at >= datetime.combine(since, time(), tzinfo=UTC))
        with self.engine.connect() as connection:
            rows = connection.execute(query).mappings().all()
        return [
            {
                "id": row["id"],
                "at": _utc(row["at"]),
                "actor": row["actor"],
                "action": row["action"],
                "target": mask_value(row["target"]),
                "detail": _masked_detail(json.loads(row["detail"]) if row["detail"] else None),
            }
            for row in rows
        ]

    # -- helpers -----------------------------------------------------------------------

    def _records(self, query: sa.Select) -> list[ImportRecord]:
        with translated(self.where), self.engine.connect() as connection:
            return [_record(row) for row in connection.execute(query)]

    @contextlib.contextmanager
    def _writing(
        self, projects: Sequence[str] = (), report_month: str | None = None
    ) -> Iterator[sa.Connection]:
        """A SQLAlchemy write transaction that holds the write lock from its first
        statement: ``BEGIN IMMEDIATE`` on SQLite, the advisory locks of these projects'
        month on PostgreSQL (see ``_lock_keys``)."""
        try:
            with translated(self.where), self.engine.begin() as connection:
                if self.backend == "sqlite":
                    # Deferred, a read that later writes fails at once when another writer
                    # came between; immediate waits for the lock (the busy timeout).
                    connection.exec_driver_sql("BEGIN IMMEDIATE")
                elif report_month is not None:
                    connection.exec_driver_sql(_lock_timeout_sql())
                    for key in _lock_keys(projects, report_month):
                        connection.execute(
                            sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": key}
                        )
                yield connection
        except StoreUnavailable as exc:
            raise _busy(exc, self, projects, report_month) from exc

    @contextlib.contextmanager
    def _bulk_writing(
        self, projects: Sequence[str], report_month: str
    ) -> Iterator[bulk.BulkConnection]:
        """``_writing`` for the bulk path (ADBC): SQLite's ``BEGIN IMMEDIATE`` is taken by
        ``bulk.transaction``, PostgreSQL's advisory locks here."""
        try:
            with translated(self.where), bulk.transaction(self._bulk_url) as db:
                if db.backend == "postgresql":
                    db.execute_sql(_lock_timeout_sql())
                    for key in _lock_keys(projects, report_month):
                        db.execute_sql("SELECT pg_advisory_xact_lock($1)", [key])
                yield db
        except StoreUnavailable as exc:
            raise _busy(exc, self, projects, report_month) from exc

    @staticmethod
    def _current_rows(db: bulk.BulkConnection, project: str, month: str) -> list[Any]:
        rows = db.execute(
            sa.select(*imports.c).where(
                imports.c.project == project,
                imports.c.report_month == month,
                imports.c.status == CURRENT,
            )
        )
        return [_Row(*row) for row in rows]


def _lock_timeout_sql() -> str:
    """PostgreSQL waits for a lock as long as SQLite's busy timeout, then refuses."""
    return f"SET LOCAL lock_timeout = '{int(lock_timeout() * 1000)}ms'"


def _lock_keys(projects: Sequence[str], report_month: str) -> list[int]:
    """One advisory-lock key per project and month: a stable 64-bit hash of the two (the
    same in every process and Python version), taken in sorted order so two imports of
    overlapping projects cannot deadlock."""
    keys = set()
    for project in projects:
        digest = hashlib.blake2b(
            f"lagesbild\x1f{project}\x1f{report_month}".encode(), digest_size=8
        ).digest()
        keys.add(int.from_bytes(digest, "big", signed=True))
    return sorted(keys)


def _busy(
    exc: StoreUnavailable, store: Store, projects: Sequence[str], report_month: str | None
) -> StoreUnavailable:
    """A lock wait that ran out on PostgreSQL's per-month lock names the import that holds
    it; SQLite's lock is the whole file's, so its message stays general."""
    if exc.kind == "locked" and store.backend == "postgresql" and report_month and projects:
        return ImportBusy(store.where, list(projects), report_month)
    return exc


class _Row:
    """An ``imports`` row fetched through ADBC, shaped like a SQLAlchemy row for ``_record``."""

    def __init__(self, *values: Any) -> None:
        for column, value in zip(imports.c.keys(), values, strict=True):
            setattr(self, column, value)


def _utc(value: datetime | str) -> datetime:
    """SQLite keeps timestamps as naive UTC text; PostgreSQL returns them aware."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _record(row: Any) -> ImportRecord:
    return ImportRecord(
        id=int(row.id),
        # Rows stored before file names were masked on saving are masked when read.
        file_name=mask_value(row.file_name),
        sha256=row.sha256,
        project=row.project,
        report_month=row.report_month,
        rows=int(row.rows),
        imported_by=row.imported_by,
        imported_at=_utc(row.imported_at),
        status=row.status,
        replaced_by=None if row.replaced_by is None else int(row.replaced_by),
    )


def _audit_insert(
    at: datetime, actor: str, action: str, target: str, detail: dict | None
) -> sa.Insert:
    detail = _masked_detail(detail)
    return sa.insert(audit_log).values(
        at=at,
        actor=actor,
        action=action,
        target=mask_value(target),
        detail=None if detail is None else json.dumps(detail, ensure_ascii=False, sort_keys=True),
    )


def _masked_detail(detail: Any) -> Any:
    """The detail with its file name masked, on writing and again on reading older rows."""
    if isinstance(detail, dict) and isinstance(detail.get("file_name"), str):
        return {**detail, "file_name": mask_value(detail["file_name"])}
    return detail


def _range_queries(records: Sequence[ImportRecord], workers: int) -> list[sa.Select]:
    """Split the rows of these imports into about ``workers`` queries of similar size.

    A large import is read in row-number ranges; small imports are read together. Each
    query returns its rows in (import, row number) order, and the queries follow each
    other in that order too.
    """
    total = sum(r.rows for r in records)
    size = max(_MIN_RANGE_ROWS, math.ceil(total / max(1, workers)))
    columns = [case_table.c.import_id, *(case_table.c[name] for name in schema.CASE_COLUMNS)]
    order = (case_table.c.import_id, case_table.c[ROW_NUMBER])
    queries: list[sa.Select] = []
    group: list[int] = []
    group_rows = 0

    def flush() -> None:
        nonlocal group, group_rows
        if group:
            queries.append(
                sa.select(*columns).where(case_table.c.import_id.in_(group)).order_by(*order)
            )
        group, group_rows = [], 0

    for record in sorted(records, key=lambda r: r.id):
        if record.rows > size:
            flush()
            for start in range(0, record.rows, size):
                queries.append(
                    sa.select(*columns)
                    .where(
                        case_table.c.import_id == record.id,
                        case_table.c[ROW_NUMBER] >= start,
                        case_table.c[ROW_NUMBER] < start + size,
                    )
                    .order_by(*order)
                )
            continue
        if group_rows + record.rows > size:
            flush()
        group.append(record.id)
        group_rows += record.rows
    flush()
    return queries
