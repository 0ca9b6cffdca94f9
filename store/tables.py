"""The store's tables as SQLAlchemy Core metadata: what queries are written against.

The migrations under ``store/migrations`` create these tables; a test compares the migrated
database with this metadata so the two cannot drift apart.
"""

from __future__ import annotations

import polars as pl
import sqlalchemy as sa

from ingest import schema

#: Position of a case row in its import (0-based file order). With ``import_id`` it is the
#: primary key: it keeps the file's order and lets a large import be read in ranges.
ROW_NUMBER = "row_no"

#: SQLite has no BIGINT rowid alias; ``Integer`` there keeps ``id`` an autoincrementing rowid.
Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
    }
)

imports = sa.Table(
    "imports",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("file_name", sa.String(), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False, index=True),
    sa.Column("project", sa.String(), nullable=False),
    sa.Column("report_month", sa.String(7), nullable=False),
    sa.Column("rows", sa.Integer(), nullable=False),
    sa.Column("imported_by", sa.String(), nullable=False),
    sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("replaced_by", Id, sa.ForeignKey("imports.id"), nullable=True),
    sa.Index(
        "uq_imports_current_project_month",
        "project",
        "report_month",
        unique=True,
        sqlite_where=sa.text("status = 'current'"),
        postgresql_where=sa.text("status = 'current'"),
    ),
)

_COLUMN_TYPES: dict[type[pl.DataType], sa.types.TypeEngine] = {
    pl.String: sa.String(),
    pl.Int64: sa.BigInteger(),
    pl.Boolean: sa.Boolean(),
    pl.Date: sa.Date(),
}

#: Fields the export requires, and those an empty cell has a value for (``anonymous``).
NOT_NULL_CASE_FIELDS: frozenset[str] = frozenset(f.name for f in schema.FIELDS if not f.nullable)


def case_column_type(dtype: pl.DataType) -> sa.types.TypeEngine:
    """The SQL type a canonical case column is stored as (real DATE/BOOLEAN where possible)."""
    return _COLUMN_TYPES[type(dtype)]


cases = sa.Table(
    "cases",
    metadata,
    sa.Column(
        "import_id",
        Id,
        sa.ForeignKey("imports.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column(ROW_NUMBER, sa.BigInteger(), primary_key=True, autoincrement=False),
    *(
        sa.Column(name, case_column_type(dtype), nullable=name not in NOT_NULL_CASE_FIELDS)
        for name, dtype in schema.CASE_DTYPES.items()
    ),
    # Rows are appended in key order and read by import: clustering them on the key
    # makes both a sequential pass and needs no second index.
    sqlite_with_rowid=False,
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("actor", sa.String(), nullable=False),
    sa.Column("action", sa.String(), nullable=False),
    sa.Column("target", sa.String(), nullable=False),
    sa.Column("detail", sa.Text(), nullable=True),  # JSON text: portable across backends
)
