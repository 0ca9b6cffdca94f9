"""Tables as files Swedish Excel opens right: CSV (UTF-8 BOM, `;`, decimal comma) and XLSX.

A text cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is prefixed
with an apostrophe, so no spreadsheet runs it as a formula (CSV/formula injection).
"""

from __future__ import annotations

import io

import polars as pl

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """Prefix text cells that a spreadsheet would read as a formula with an apostrophe."""
    pattern = r"^[=+\-@\t\r]"
    text_columns = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(pattern))
        .then(pl.lit("'") + pl.col(c))
        .otherwise(pl.col(c))
        .alias(c)
        for c in text_columns
    )


def to_csv_bytes(frame: pl.DataFrame) -> bytes:
    """CSV for Swedish Excel: UTF-8 with BOM, `;` separator, decimal comma."""
    safe = neutralise_formulas(frame)
    text = safe.write_csv(separator=";", decimal_comma=True, date_format="%Y-%m-%d")
    return "\ufeff".encode() + text.encode("utf-8")


def to_xlsx_bytes(frame: pl.DataFrame, sheet: str = "Data") -> bytes:
    """XLSX with text cells written as text, never as formulas."""
    buffer = io.BytesIO()
    neutralise_formulas(frame).write_excel(
        buffer, worksheet=sheet[:31], autofit=True, include_header=True
    )
    return buffer.getvalue()
