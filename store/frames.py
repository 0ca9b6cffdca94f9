"""Case frames on their way into and out of the database."""

from __future__ import annotations

import polars as pl

from ingest import schema
from store.tables import ROW_NUMBER


def canonical_cases(cases: pl.DataFrame) -> pl.DataFrame:
    """The canonical columns in schema order and dtypes; anything else is left behind."""
    missing = [name for name in schema.CASE_COLUMNS if name not in cases.columns]
    if missing:
        raise ValueError("Kolumner saknas i fallen: " + ", ".join(missing))
    return cases.select(
        pl.col(name).cast(dtype, strict=True) for name, dtype in schema.CASE_DTYPES.items()
    )


def rows_for_ingest(cases: pl.DataFrame, import_ids: dict[str, int]) -> pl.DataFrame:
    """Add each row's import id (by project) and its position within that import."""
    return cases.select(
        pl.col("project").replace_strict(import_ids, return_dtype=pl.Int64).alias("import_id"),
        pl.int_range(pl.len(), dtype=pl.Int64).over("project").alias(ROW_NUMBER),
        *schema.CASE_COLUMNS,
    )


def conform(frame: pl.DataFrame, dtypes: dict[str, pl.DataType]) -> pl.DataFrame:
    """Give a frame read from the database exactly ``dtypes``.

    SQLite returns dates as ISO text and booleans as 0/1, and a column that is NULL
    throughout comes back untyped; PostgreSQL already returns the right types.
    """
    expressions = []
    for name, dtype in dtypes.items():
        column = pl.col(name)
        current = frame.schema[name]
        if current == dtype:
            expressions.append(column)
        elif dtype == pl.Date() and current == pl.String():
            expressions.append(column.str.to_date("%Y-%m-%d").alias(name))
        else:
            expressions.append(column.cast(dtype, strict=True))
    return frame.select(expressions)


def empty_snapshot() -> pl.DataFrame:
    return pl.DataFrame(schema=schema.SNAPSHOT_DTYPES)
