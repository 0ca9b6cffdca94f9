"""Canonical case frames for metric tests: every CASE_DTYPES column, sensible defaults."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

import polars as pl

from ingest.schema import CASE_DTYPES, SNAPSHOT_DTYPES

START = date(2024, 1, 1)
END = date(2024, 6, 30)

DEFAULTS: dict[str, Any] = {
    "project": "SAMRE",
    "municipality": "Sigtuna",
    "gender": "K",
    "start_date": START,
    "anonymous": False,
}


def cases(rows: Iterable[Mapping[str, Any]], **defaults: Any) -> pl.DataFrame:
    """A canonical frame from partial rows; missing fields take ``defaults``, else null.

    ``case_id`` defaults to a running number so every row is its own participation.
    """
    base = {**DEFAULTS, **defaults}
    records = []
    for i, row in enumerate(rows):
        unknown = set(row) - set(SNAPSHOT_DTYPES)
        if unknown:
            raise KeyError(f"not canonical fields: {unknown}")
        record = {name: row.get(name, base.get(name)) for name in CASE_DTYPES}
        if record["case_id"] is None:
            record["case_id"] = f"D{i:05d}"
        if "report_month" in row or "report_month" in base:
            record["report_month"] = row.get("report_month", base.get("report_month"))
        records.append(record)
    schema = dict(CASE_DTYPES)
    if any("report_month" in r for r in records):
        schema["report_month"] = pl.String()
    return (
        pl.DataFrame(records, schema=schema, orient="row")
        if records
        else pl.DataFrame(schema=schema)
    )


def repeat(n: int, **row: Any) -> list[dict[str, Any]]:
    """``n`` copies of one partial row, for building frames from hand counts."""
    return [dict(row) for _ in range(n)]


def ended(**row: Any) -> dict[str, Any]:
    """A partial row for an ended participation."""
    return {"end_date": END, **row}
