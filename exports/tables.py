"""Tables as files Swedish Excel opens right: CSV (UTF-8 BOM, `;`, decimal comma) and XLSX.

A text cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is prefixed
with an apostrophe, so no spreadsheet runs it as a formula (CSV/formula injection).

Every XLSX is written here, and its sheet names are made valid here: a chart title such as
"Trattdiagram: Andel i aktivitet" is no valid sheet name as it stands.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable

import polars as pl

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_PATTERN = r"^[=+\-@\t\r]"

#: Excel's limits on a sheet name: these characters are refused, at most 31 characters,
#: no apostrophe first or last, not empty, and "History" is reserved.
SHEET_NAME_FORBIDDEN = re.compile(r"[:\\/?*\[\]\x00-\x1f\x7f]")
SHEET_NAME_MAX = 31
SHEET_NAME_RESERVED = frozenset({"history"})
DEFAULT_SHEET = "Data"


def neutralise_text(value: str) -> str:
    """One text cell made inert: an apostrophe before a formula start."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def neutralise_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """Prefix text cells that a spreadsheet would read as a formula with an apostrophe."""
    text_columns = [
        name
        for name, dtype in frame.schema.items()
        if dtype == pl.String or isinstance(dtype, pl.Categorical | pl.Enum)
    ]
    return frame.with_columns(
        pl.when(pl.col(c).cast(pl.String).str.contains(FORMULA_PATTERN))
        .then(pl.lit("'") + pl.col(c).cast(pl.String))
        .otherwise(pl.col(c).cast(pl.String))
        .alias(c)
        for c in text_columns
    )


def sheet_name(name: str, taken: Iterable[str] = ()) -> str:
    """``name`` as a sheet name Excel accepts, different (without regard to case) from
    every name in ``taken``."""
    text = " ".join(SHEET_NAME_FORBIDDEN.sub(" ", name).split())
    text = text.strip("' ")[:SHEET_NAME_MAX].rstrip("' ")
    if not text or text.lower() in SHEET_NAME_RESERVED:
        text = (text + " " + DEFAULT_SHEET).strip()[:SHEET_NAME_MAX]
    used = {t.lower() for t in taken}
    candidate, number = text, 1
    while candidate.lower() in used:
        number += 1
        suffix = f" ({number})"
        candidate = text[: SHEET_NAME_MAX - len(suffix)].rstrip("' ") + suffix
    return candidate


def sheet_names(names: Iterable[str]) -> list[str]:
    """Valid, distinct sheet names for one workbook, in order."""
    made: list[str] = []
    for name in names:
        made.append(sheet_name(name, made))
    return made


def to_csv_bytes(frame: pl.DataFrame) -> bytes:
    """CSV for Swedish Excel: UTF-8 with BOM, `;` separator, decimal comma."""
    safe = neutralise_formulas(frame)
    text = safe.write_csv(separator=";", decimal_comma=True, date_format="%Y-%m-%d")
    return "\ufeff".encode() + text.encode("utf-8")


def to_xlsx_bytes(frame: pl.DataFrame, sheet: str = DEFAULT_SHEET) -> bytes:
    """XLSX with text cells written as text, never as formulas, on a valid sheet name."""
    buffer = io.BytesIO()
    neutralise_formulas(frame).write_excel(
        buffer, worksheet=sheet_name(sheet), autofit=True, include_header=True
    )
    return buffer.getvalue()
