"""Metric frames as plain records and CSV: what ``cli.py kpis`` prints and exports."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import polars as pl

from exports.tables import neutralise_text
from ingest.schema import BREAKDOWN_HEADERS, CODE_LABELS

DECIMALS = 4
RECORD_FIELDS: tuple[str, ...] = (
    "metric",
    "value",
    "numerator",
    "denominator",
    "ci_low",
    "ci_high",
    "suppressed",
)


def _group_value(value: Any) -> str | None:
    """Group values as text: booleans in Swedish, dates in ISO form."""
    if value is None:
        return None
    if isinstance(value, bool):
        return CODE_LABELS["yesno"][str(value).lower()]
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


def _number(value: Any) -> float | None:
    return None if value is None else round(float(value), DECIMALS)


def _integer(value: Any) -> int | None:
    return None if value is None else int(value)


def kpi_records(
    frame: pl.DataFrame, by: Sequence[str], *, period: str | None = None
) -> list[dict[str, Any]]:
    """One JSON-ready object per (group, metric), group keys as the Swedish headers.

    Hidden (suppressed) cells keep their nulls: suppression is applied before this. With
    ``period`` (its code, e.g. ``2019H1``) every record says which period it covers.
    """
    by = list(by)
    records: list[dict[str, Any]] = []
    for row in frame.iter_rows(named=True):
        records.append(
            {
                "group": {BREAKDOWN_HEADERS.get(b, b): _group_value(row[b]) for b in by},
                **({"period": period} if period is not None else {}),
                "metric": row["metric"],
                "value": _number(row.get("value")),
                "numerator": _integer(row.get("numerator")),
                "denominator": _integer(row.get("denominator")),
                "ci_low": _number(row.get("ci_low")),
                "ci_high": _number(row.get("ci_high")),
                "suppressed": bool(row.get("suppressed") or False),
                "hidden_reason": row.get("hidden_reason"),
            }
        )
    return records


def kpi_csv(frame: pl.DataFrame, by: Sequence[str], *, period: str | None = None) -> str:
    """The records of :func:`kpi_records` as CSV: group headers first, empty cells for nulls.

    Text that a spreadsheet would run as a formula (a project named ``=HYPERLINK(...)``)
    gets an apostrophe first, as in the app's downloads; the JSON records stay exact.
    """
    headers = [BREAKDOWN_HEADERS.get(b, b) for b in by]
    out = io.StringIO()
    # CRLF as RFC 4180 says: then a field holding a carriage return is quoted too.
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([*headers, *(["period"] if period else []), *RECORD_FIELDS, "hidden_reason"])
    for record in kpi_records(frame, by, period=period):
        row = [record["group"][h] for h in headers]
        row += [period] if period else []
        row += [record[f] for f in RECORD_FIELDS[:-1]]
        row.append("true" if record["suppressed"] else "false")
        row.append(record["hidden_reason"])
        writer.writerow(
            ["" if v is None else neutralise_text(v) if isinstance(v, str) else v for v in row]
        )
    return out.getvalue()
