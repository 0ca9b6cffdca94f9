"""The template for projects starting out: an XLSX already in the export format.

Sheet *Deltagare* has the canonical headers, a frozen header row, date cells and a drop-down
list on every coded column (the Swedish labels, which the import reads as their codes);
sheet *Förklaring* explains each column and code; the lists live on a hidden sheet. Every
header, code and label comes from ``ingest.schema``, so a filled-in template imports with
no mapping.
"""

from __future__ import annotations

import io
from datetime import date

import polars as pl
import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from ingest import schema
from ingest.municipalities import KOMMUNER_CSV
from ingest.reader import SHEET_NAME

#: Rows of the data sheet given date formats and drop-down lists.
TEMPLATE_ROWS = 2000
LISTS_SHEET = "Listor"
EXPLANATION_SHEET = "Förklaring"
_KIND_TEXT = {
    "text": "text",
    "code": "kod ur listan",
    "integer": "heltal",
    "date": "datum (ÅÅÅÅ-MM-DD)",
    "yesno": "Ja eller Nej",
}


def dropdown_values(f: schema.Field) -> list[str]:
    """What a cell of ``f`` offers: labels for codes (read back as their codes), Ja/Nej,
    the steps' numbers, the municipalities' names; [] for free text and numbers."""
    labels = schema.CODE_LABELS.get(f.label_kind, {})
    if f.kind == "code":
        return [labels.get(code, code) for code in f.codes]
    if f.kind == "yesno":
        return [labels["true"], labels["false"]]
    if f.name in ("step_start", "step_end"):
        return [str(step) for step in schema.STEPS]
    if f.name == "municipality":
        return pl.read_csv(KOMMUNER_CSV, infer_schema=False)["kommun"].sort().to_list()
    return []


def _allowed_text(f: schema.Field) -> str:
    labels = schema.CODE_LABELS.get(f.label_kind, {})
    if f.kind == "code":
        return "; ".join(f"{labels.get(c, c)} ({c})" for c in f.codes)
    if f.name in ("step_start", "step_end"):
        return "; ".join(labels[str(step)] for step in schema.STEPS)
    if f.kind == "integer":
        upper = "" if f.maximum is None else str(f.maximum)
        return f"{f.minimum}–{upper}"
    if f.kind == "text" and f.max_length:
        return f"högst {f.max_length} tecken"
    return ""


def build_template() -> bytes:
    """The template workbook as bytes."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet(SHEET_NAME)
    explanation = book.add_worksheet(EXPLANATION_SHEET)
    lists = book.add_worksheet(LISTS_SHEET)
    header = book.add_format({"bold": True, "bg_color": "#DDE6F0", "border": 1})
    required = book.add_format({"bold": True, "bg_color": "#F6DFA4", "border": 1})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})

    sheet.freeze_panes(1, 0)
    for column, f in enumerate(schema.FIELDS):
        sheet.write(0, column, f.header, required if f.required else header)
        sheet.write_comment(0, column, f"{f.label}{' (obligatorisk)' if f.required else ''}")
        sheet.set_column(column, column, max(12, len(f.header) + 2))
        last = TEMPLATE_ROWS
        if f.kind == "date":
            sheet.set_column(column, column, 12, day)
            sheet.data_validation(
                1,
                column,
                last,
                column,
                {
                    "validate": "date",
                    "criteria": "between",
                    "minimum": date(1990, 1, 1),
                    "maximum": date(2100, 12, 31),
                    "error_message": "Skriv ett datum, ÅÅÅÅ-MM-DD.",
                },
            )
        values = dropdown_values(f)
        if values:
            lists.write(0, column, f.header)
            lists.write_column(1, column, values)
            letter = xl_col_to_name(column)
            sheet.data_validation(
                1,
                column,
                last,
                column,
                {
                    "validate": "list",
                    "source": f"='{LISTS_SHEET}'!${letter}$2:${letter}${len(values) + 1}",
                    "error_message": f"Välj ett värde ur listan för {f.label.lower()}.",
                },
            )
    lists.hide()

    explanation.set_column(0, 0, 20)
    explanation.set_column(1, 1, 30)
    explanation.set_column(2, 3, 16)
    explanation.set_column(4, 4, 90, wrap)
    explanation.write_row(
        0, 0, ["Rubrik", "Betydelse", "Obligatorisk", "Typ", "Tillåtna värden"], header
    )
    for row, f in enumerate(schema.FIELDS, start=1):
        explanation.write_row(
            row,
            0,
            [f.header, f.label, "ja" if f.required else "", _KIND_TEXT[f.kind], _allowed_text(f)],
        )
    note = len(schema.FIELDS) + 2
    explanation.write(
        note,
        0,
        "En rad per deltagande. Inga namn, personnummer, adresser, telefonnummer eller "
        "e-postadresser. Rapportmånaden anges vid uppladdningen eller i filnamnet (ÅÅÅÅ-MM).",
    )
    book.close()
    return buffer.getvalue()
