"""Read a case export (CSV or XLSX) into a frame of trimmed strings, nothing lost or guessed.

Every cell is read as text so that validation, not the reader, decides what a value means;
row numbers are kept as Excel shows them (header = row 1) even when empty rows are skipped.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import fastexcel
import polars as pl

from ingest import schema
from ingest.encoding import UTF8_BOM, check_single_encoding
from ingest.limits import FILE_LIMITS, FileLimits, check_archive, check_rows, check_size
from ingest.problems import ROW_COLUMN, Problem

SHEET_NAME = "Deltagare"
_SEPARATORS = (";", ",", "\t")
_TEXT_SUFFIXES = {"", ".csv", ".txt", ".tsv"}
_EXCEL_SUFFIXES = {".xlsx"}
_BLANK = b" \t\r\n\xef\xbb\xbf"
_EXCEL_DATETIME = re.compile(r"^(\d{4}-\d{2}-\d{2}) 00:00:00$")


@dataclass
class RawTable:
    """The file as read: headers as written and one String column per header (``c0``...)."""

    headers: list[str]
    frame: pl.DataFrame  # value columns c0..cN (trimmed, empty -> null) and ROW_COLUMN
    file_format: str  # "csv" | "xlsx"
    # value column -> its distinct non-null values (all values for id-like columns)
    distinct: dict[str, pl.Series]
    sheet_names: list[str] = field(default_factory=list)  # every sheet of a workbook
    header_row: int = 1  # Excel's number of the row the headers were taken from

    @property
    def value_columns(self) -> list[str]:
        return [value_column(i) for i in range(len(self.headers))]


class UnreadableFile(Exception):
    """The file cannot be read as a case export; carries the problem to show."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def value_column(index: int) -> str:
    """Name of the frame column that holds the file's column number ``index``."""
    return f"c{index}"


def _refuse(rule: str, message: str) -> UnreadableFile:
    return UnreadableFile(Problem(rule, message))


_NOT_SUPPORTED = (
    "Filen är varken CSV eller Excel (.xlsx). Spara exporten som CSV eller .xlsx och ladda "
    "upp igen; inget har sparats."
)


def read_table(
    data: bytes, file_name: str, limits: FileLimits = FILE_LIMITS, sheet: str | None = None
) -> RawTable:
    """Read ``data`` as CSV or XLSX; raise :class:`UnreadableFile` when it is neither, or
    when it is beyond ``limits`` (checked before anything is parsed or unpacked).
    ``sheet`` names the workbook sheet to read (a mapping's choice); by default the sheet
    ``Deltagare``, else the first."""
    suffix = Path(file_name).suffix.lower()
    if (problem := check_size(data, limits) or check_archive(data, limits)) is not None:
        raise UnreadableFile(problem)
    if not data[:4096].strip(_BLANK) and not data.strip(_BLANK):
        raise _refuse("tom_fil", "Filen är tom. Välj exportfilen igen och ladda upp den.")
    if suffix == ".xlsm" or (data.startswith(b"PK") and _has_macros(data)):
        raise _refuse(
            "makrofil",
            "Filer med makron (.xlsm) tas inte emot. Spara arbetsboken som .xlsx eller CSV "
            "och ladda upp igen; inget har sparats.",
        )
    if data.startswith(b"PK"):
        if not _is_xlsx(data):
            raise _refuse("okant_format", _NOT_SUPPORTED)
        table = _read_xlsx(data, sheet)
    elif suffix in _EXCEL_SUFFIXES or suffix not in _TEXT_SUFFIXES:
        raise _refuse("okant_format", _NOT_SUPPORTED)
    else:
        table = _read_csv(data)
    if (problem := check_rows(table.frame.height, limits)) is not None:
        raise UnreadableFile(problem)
    return table


def _zip_names(data: bytes) -> list[str]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return []


def _has_macros(data: bytes) -> bool:
    return any(name.lower().endswith("vbaproject.bin") for name in _zip_names(data))


def _is_xlsx(data: bytes) -> bool:
    return "xl/workbook.xml" in _zip_names(data)


def _looks_binary(data: bytes) -> bool:
    """NUL bytes or many control characters near the start: not a text export."""
    sample = data[:65536]
    if b"\x00" in sample:
        return True
    control = sum(1 for byte in sample if byte < 32 and byte not in (9, 10, 13))
    return control > max(2, len(sample) // 100)


def _first_line(data: bytes) -> str:
    """The header line as text, enough to detect the separator."""
    return data[:65536].split(b"\n", 1)[0].decode("utf-8", errors="replace")


def detect_separator(header_line: str) -> str:
    """The separator that occurs most often in the header line (outside quotes)."""
    unquoted = re.sub(r'"[^"]*"', "", header_line)
    counts = {sep: unquoted.count(sep) for sep in _SEPARATORS}
    best = max(_SEPARATORS, key=lambda sep: counts[sep])
    return best if counts[best] > 0 else ";"


def _parse_csv(data: bytes, separator: str) -> pl.DataFrame:
    return pl.read_csv(
        data,
        separator=separator,
        has_header=False,
        infer_schema=False,
        raise_if_empty=False,
        quote_char='"',
    )


def _read_csv(data: bytes) -> RawTable:
    """UTF-8 (with or without BOM) or Windows-1252, each read whole; a mix is refused."""
    had_bom = data.startswith(UTF8_BOM)
    if had_bom:
        data = data[len(UTF8_BOM) :]
    if _looks_binary(data):
        raise _refuse("okant_format", _NOT_SUPPORTED)
    separator = detect_separator(_first_line(data))
    try:
        try:
            frame = _parse_csv(data, separator)
        except pl.exceptions.ComputeError as exc:
            if "utf-8" not in str(exc).lower():
                raise
            # Not UTF-8: only a file that is Windows-1252 throughout is read as such.
            if (problem := check_single_encoding(data, had_bom)) is not None:
                raise UnreadableFile(problem) from exc
            text = data.decode("cp1252")
            separator = detect_separator(text.split("\n", 1)[0])
            frame = _parse_csv(text.encode("utf-8"), separator)
    except pl.exceptions.PolarsError as exc:
        raise _refuse(
            "felaktig_csv",
            "Filen kunde inte läsas som CSV: någon rad har fler fält än rubrikraden eller ett "
            "citattecken som inte avslutas. Kontrollera filen i Excel, spara som CSV och ladda "
            "upp igen.",
        ) from exc
    return _to_table(frame, "csv")


def _read_xlsx(data: bytes, wanted_sheet: str | None = None) -> RawTable:
    try:
        sheets = fastexcel.read_excel(data).sheet_names
        wanted = schema.normalize_header(wanted_sheet or SHEET_NAME)
        found = [s for s in sheets if schema.normalize_header(s) == wanted]
        if wanted_sheet is not None and not found:
            raise _refuse(
                "blad_saknas",
                f"Arbetsboken har inget blad som heter '{wanted_sheet}' (blad: "
                f"{', '.join(sheets)}). Rätta bladets namn i kopplingen; inget har sparats.",
            )
        sheet = found[0] if found else sheets[0]
        frame = pl.read_excel(
            data,
            sheet_name=sheet,
            has_header=False,
            drop_empty_rows=False,
            drop_empty_cols=False,
            raise_if_empty=False,
            read_options={"dtypes": "string"},
        )
    except UnreadableFile:
        raise
    except Exception as exc:  # calamine raises its own types for broken workbooks
        raise _refuse(
            "felaktig_xlsx",
            "Excel-filen kunde inte läsas. Öppna den i Excel, spara som .xlsx och ladda upp "
            "igen; inget har sparats.",
        ) from exc
    # Real Excel dates arrive as midnight datetimes; show and parse them as ISO dates.
    frame = frame.with_columns(pl.all().cast(pl.String).str.replace(_EXCEL_DATETIME.pattern, "$1"))
    table = _to_table(frame, "xlsx", first_row=_first_used_row(data, sheet))
    table.sheet_names = list(sheets)
    return table


_SHEET_ENTRY = re.compile(r'<sheet\b[^>]*?name="([^"]*)"[^>]*?r:id="([^"]*)"')
_RELATION = re.compile(r'<Relationship\b[^>]*?Id="([^"]*)"[^>]*?Target="([^"]*)"')
_RELATION_REVERSED = re.compile(r'<Relationship\b[^>]*?Target="([^"]*)"[^>]*?Id="([^"]*)"')
_ROW = re.compile(rb'<row\b[^>]*?\br="(\d+)"[^>]*?(?<!/)>(.*?)</row>', re.DOTALL)


def _first_used_row(data: bytes, sheet: str) -> int:
    """Excel's number of the sheet's first row with a value (calamine skips empty ones)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            workbook = archive.read("xl/workbook.xml").decode("utf-8", errors="replace")
            rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8", errors="replace")
            ids = {html.unescape(name): rid for name, rid in _SHEET_ENTRY.findall(workbook)}
            targets = dict(_RELATION.findall(rels))
            targets.update({rid: target for target, rid in _RELATION_REVERSED.findall(rels)})
            target = targets[ids[sheet]].lstrip("/")
            member = target if target.startswith("xl/") else f"xl/{target}"
            with archive.open(member) as stream:
                buffer = b""
                while chunk := stream.read(1 << 16):
                    buffer += chunk
                    for match in _ROW.finditer(buffer):
                        if b"<v>" in match[2] or b"<v " in match[2] or b"<is>" in match[2]:
                            return int(match[1])
                    buffer = buffer[buffer.rfind(b"<row") :] if b"<row" in buffer else b""
    except (KeyError, ValueError, OSError, zipfile.BadZipFile):
        pass
    return 1


def _to_table(frame: pl.DataFrame, file_format: str, first_row: int = 1) -> RawTable:
    if frame.height == 0 or frame.width == 0:
        raise _refuse("tom_fil", "Filen är tom. Välj exportfilen igen och ladda upp den.")
    names = [value_column(i) for i in range(frame.width)]
    frame = frame.rename(dict(zip(frame.columns, names, strict=True)))
    headers = [(h or "").strip() for h in frame.row(0)]
    body, distinct = _trimmed(frame.slice(1).with_row_index(ROW_COLUMN, offset=first_row + 1))
    body = body.filter(~pl.all_horizontal(pl.col(names).is_null())).with_columns(
        pl.col(ROW_COLUMN).cast(pl.Int64)
    )
    return RawTable(
        headers=headers,
        frame=body,
        file_format=file_format,
        distinct=distinct,
        header_row=first_row,
    )


def _trimmed(frame: pl.DataFrame) -> tuple[pl.DataFrame, dict[str, pl.Series]]:
    """Trim every cell and make blank cells null, touching only the values that need it.

    Exports repeat the same few values in most columns, so that work is done on each
    column's distinct values, which are kept for the guard and the parsers. Columns of
    mostly distinct values (ids) are trimmed directly and keep all their values instead.
    """
    replacements: list[pl.Expr] = []
    distinct: dict[str, pl.Series] = {}
    mostly_distinct: list[str] = []
    for name in frame.columns:
        if name == ROW_COLUMN:
            continue
        column = frame.get_column(name)
        sample = column.head(2000)
        if sample.n_unique() * 2 > sample.len() > 100:
            stripped = pl.col(name).str.strip_chars()
            replacements.append(pl.when(stripped != "").then(stripped).alias(name))
            mostly_distinct.append(name)
            continue
        values = column.drop_nulls().unique()
        stripped_values = values.str.strip_chars()
        dirty = (values != stripped_values) | (stripped_values == "")
        if dirty.any():
            new = stripped_values.filter(dirty)
            new = pl.select(pl.when(new != "").then(new)).to_series()
            replacements.append(pl.col(name).replace(values.filter(dirty), new))
            values = stripped_values.filter(stripped_values != "").unique()
        distinct[name] = values
    if replacements:
        frame = frame.with_columns(replacements)
    for name in mostly_distinct:
        distinct[name] = frame.get_column(name).drop_nulls()
    return frame, distinct
