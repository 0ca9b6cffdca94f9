"""A project's own spreadsheet, mapped once onto the canonical export format.

A mapping says which of the sheet's columns feeds which canonical header (or is ignored),
which of its words means which code, which fields are the same on every row (typically
``insats``), and how to read the sheet (sheet name, header row, stop at the first blank
row, date format). Applying it turns the file as read into a table with canonical headers,
which then goes through the same header matching and validation as any export; the
personal-data guard reads the file's own columns, every one of them, before that.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Mapping as MappingType
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import polars as pl

from ingest import schema
from ingest.guard import mask_value
from ingest.problems import ROW_COLUMN, Problem, rows_and_examples
from ingest.reader import RawTable, value_column
from ingest.validation import _YES_NO, _code_lookup

#: The mapping's own field: birth year, from which the age at start is derived.
BIRTH_YEAR = "fodelsear"
AGE_HEADER = schema.FIELDS_BY_NAME["age"].header
START_HEADER = schema.FIELDS_BY_NAME["start_date"].header
PROJECT_HEADER = schema.FIELDS_BY_NAME["project"].header

#: Every header a source column may be mapped to ("" = ignored).
TARGET_HEADERS: tuple[str, ...] = (
    *(f.header for f in schema.FIELDS),
    BIRTH_YEAR,
    schema.REPORT_MONTH_HEADER,
)
_FIELDS_BY_HEADER = schema.FIELDS_BY_HEADER
_YES = "Ja"
_NO = "Nej"
_EXCEL_EPOCH = date(1899, 12, 30)
# Excel serial numbers of 1950-01-01 .. 2149-12-31: plain numbers outside are not dates.
_SERIAL_RANGE = (18264, 91312)
_SERIAL = re.compile(r"^(\d{5})(?:\.0+)?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_YEAR = re.compile(r"^(\d{4})(?:\.0+)?$")
# A birth "year" that carries month and day too: 19850101, 850101, 1985-01-01, 1/1/1985,
# or an Excel date number (31048 is 1985-01-01).
_FULL_DATE = re.compile(r"^\d{6}(?:\d{2})?$|^\d{2,4}[-/.]\d{1,2}[-/.]\d{1,4}|^\d{5}(?:\.0+)?$")


_HEAD_KEYS = ("project", "sheet", "header_row", "stop_at_blank_row", "date_format")


class MappingError(ValueError):
    """A mapping file or form was refused; ``messages`` has one Swedish line per fault."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("\n".join(messages))
        self.messages = messages


@dataclass
class Mapping:
    """One insats's mapping, as in the TOML file (see README: Kopplingar)."""

    project: str
    sheet: str | None = None
    header_row: int = 1
    stop_at_blank_row: bool = False
    date_format: str | None = None
    columns: dict[str, str] = field(default_factory=dict)  # header as written -> target
    constants: dict[str, str] = field(default_factory=dict)  # canonical header -> value
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # header -> written -> code

    def to_dict(self) -> dict[str, Any]:
        """The mapping as plain data, the TOML file's shape (stored as JSON)."""
        head: dict[str, Any] = {"project": self.project}
        if self.sheet is not None:
            head["sheet"] = self.sheet
        if self.header_row != 1:
            head["header_row"] = self.header_row
        if self.stop_at_blank_row:
            head["stop_at_blank_row"] = True
        if self.date_format is not None:
            head["date_format"] = self.date_format
        data: dict[str, Any] = {"mapping": head, "columns": dict(self.columns)}
        if self.constants:
            data["constants"] = dict(self.constants)
        if self.values:
            data["values"] = {k: dict(v) for k, v in self.values.items() if v}
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)

    def mapped_target(self, header: str) -> str | None:
        """What a source header is mapped to ("" ignored), or None when it is not listed."""
        if header in self.columns:
            return self.columns[header]
        folded = schema.normalize_header(header)
        for written, target in self.columns.items():
            if schema.normalize_header(written) == folded:
                return target
        return None


# -- reading and writing ---------------------------------------------------------------


def _text(value: object, where: str, errors: list[str]) -> str | None:
    if not isinstance(value, str):
        errors.append(f"{where}: ska vara text inom citattecken.")
        return None
    return value


def mapping_from_dict(data: MappingType[str, Any]) -> Mapping:
    """Check a mapping's plain data; raise :class:`MappingError` naming every fault."""
    errors: list[str] = []
    unknown = sorted(set(data) - {"mapping", "columns", "constants", "values"})
    if unknown:
        errors.append(f"Okända tabeller: {', '.join(unknown)}.")
    head = data.get("mapping")
    if not isinstance(head, MappingType):
        raise MappingError(['Tabellen [mapping] med project = "insatsens namn" saknas.'])
    extra = sorted(set(head) - set(_HEAD_KEYS))
    if extra:
        errors.append(f"[mapping]: okända nycklar {', '.join(extra)}.")
    project = head.get("project")
    if not isinstance(project, str) or not project.strip():
        errors.append("[mapping]: project (insatsens namn) saknas.")
        project = ""
    sheet = head.get("sheet")
    if sheet is not None and not isinstance(sheet, str):
        errors.append("[mapping]: sheet ska vara bladets namn inom citattecken.")
    header_row = head.get("header_row", 1)
    if not isinstance(header_row, int) or isinstance(header_row, bool) or header_row < 1:
        errors.append("[mapping]: header_row ska vara ett radnummer från 1 (som i Excel).")
        header_row = 1
    stop = head.get("stop_at_blank_row", False)
    if not isinstance(stop, bool):
        errors.append("[mapping]: stop_at_blank_row ska vara true eller false.")
        stop = False
    date_format = head.get("date_format")
    if date_format is not None and (
        not isinstance(date_format, str) or not _valid_date_format(date_format)
    ):
        errors.append(
            f"[mapping]: date_format '{date_format}' är inget datumformat; skriv t.ex. "
            '"%d/%m/%Y" eller "%Y%m%d".'
        )
        date_format = None

    columns: dict[str, str] = {}
    raw_columns = data.get("columns", {})
    if not isinstance(raw_columns, MappingType):
        errors.append('[columns] ska vara en tabell: "rubrik i filen" = "kanonisk rubrik".')
        raw_columns = {}
    seen: dict[str, str] = {}
    for written, target in raw_columns.items():
        target = _text(target, f"[columns] '{written}'", errors)
        if target is None:
            continue
        if target and target not in TARGET_HEADERS:
            errors.append(
                f"[columns] '{written}' = '{target}': okänd rubrik. Välj bland "
                f'{", ".join(TARGET_HEADERS)} eller "" för att ignorera kolumnen.'
            )
            continue
        if target and target in seen:
            errors.append(
                f"[columns]: både '{seen[target]}' och '{written}' är kopplade till '{target}'."
            )
        seen.setdefault(target, written)
        columns[written] = target
    if AGE_HEADER in seen and BIRTH_YEAR in seen:
        errors.append(
            f"[columns]: både '{seen[AGE_HEADER]}' (alder) och '{seen[BIRTH_YEAR]}' (fodelsear) "
            "är kopplade; koppla bara den ena."
        )

    constants: dict[str, str] = {}
    raw_constants = data.get("constants", {})
    if not isinstance(raw_constants, MappingType):
        errors.append('[constants] ska vara en tabell: "kanonisk rubrik" = "värde".')
        raw_constants = {}
    for header, value in raw_constants.items():
        value = _text(value, f"[constants] '{header}'", errors)
        if value is None:
            continue
        if header not in _FIELDS_BY_HEADER and header != schema.REPORT_MONTH_HEADER:
            errors.append(f"[constants] '{header}': okänd rubrik.")
        elif header in seen:
            errors.append(
                f"[constants] '{header}': rubriken kommer redan från kolumnen '{seen[header]}'."
            )
        elif not value.strip():
            errors.append(f"[constants] '{header}': värdet är tomt.")
        else:
            constants[header] = value

    values: dict[str, dict[str, str]] = {}
    raw_values = data.get("values", {})
    if not isinstance(raw_values, MappingType):
        errors.append('[values.<rubrik>] ska vara tabeller: "värde i filen" = "kod".')
        raw_values = {}
    for header, table in raw_values.items():
        if header not in _FIELDS_BY_HEADER:
            errors.append(f"[values.{header}]: okänd rubrik.")
            continue
        if not isinstance(table, MappingType):
            errors.append(f"[values.{header}] ska vara en tabell.")
            continue
        checked: dict[str, str] = {}
        for written, code in table.items():
            code = _text(code, f"[values.{header}] '{written}'", errors)
            if code is None:
                continue
            if (problem := _target_problem(header, code)) is not None:
                errors.append(f"[values.{header}] '{written}' = '{code}': {problem}")
                continue
            checked[written] = code
        values[header] = checked
    if errors:
        raise MappingError(errors)
    return Mapping(
        project=project.strip(),
        sheet=sheet,
        header_row=header_row,
        stop_at_blank_row=stop,
        date_format=date_format,
        columns=columns,
        constants=constants,
        values=values,
    )


def _valid_date_format(text: str) -> bool:
    if "%" not in text:
        return False
    try:
        datetime(2019, 3, 14).strftime(text)
        return datetime.strptime(datetime(2019, 3, 14).strftime(text), text).date() == date(
            2019, 3, 14
        )
    except ValueError:
        return False


def allowed_codes(header: str) -> tuple[str, ...]:
    """The values a coded canonical header accepts (codes, Ja/Nej, steps); () for text."""
    f = _FIELDS_BY_HEADER[header]
    if f.kind == "code":
        return f.codes
    if f.kind == "yesno":
        return (_YES, _NO)
    if f.kind == "integer" and f.maximum is not None and f.maximum - (f.minimum or 0) <= 10:
        return tuple(str(n) for n in range(f.minimum or 0, f.maximum + 1))
    return ()


def coded_headers() -> tuple[str, ...]:
    """Canonical headers whose values come from a short list (codes, Ja/Nej, steps)."""
    return tuple(f.header for f in schema.FIELDS if allowed_codes(f.header))


def _target_problem(header: str, code: str) -> str | None:
    allowed = allowed_codes(header)
    if not allowed or code in allowed:
        return None
    return f"okänd kod; tillåtna: {', '.join(allowed)}."


def parse_mapping(text: str) -> Mapping:
    """A mapping from TOML text; :class:`MappingError` when it is not a valid one."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MappingError([f"Filen är inte giltig TOML: {exc}."]) from exc
    return mapping_from_dict(data)


def mapping_from_json(text: str) -> Mapping:
    return mapping_from_dict(json.loads(text))


def _quote(text: str) -> str:
    # JSON's string escapes are all valid TOML basic-string escapes.
    return json.dumps(text, ensure_ascii=False)


def _line(key: str, value: str, comment: str | None) -> str:
    text = f"{_quote(key)} = {_quote(value)}"
    return f"{text}  # {comment}" if comment else text


def mapping_to_toml(
    mapping: Mapping,
    comments: MappingType[tuple[str, str], str] | None = None,
    skipped: MappingType[str, list[tuple[str, str]]] | None = None,
) -> str:
    """The mapping in the file format. ``comments`` puts a comment at the end of a line,
    keyed by (table, key) (table: ``columns``, ``constants`` or a header under ``values``);
    ``skipped`` lists lines written commented out (values with no sure code), per header."""
    notes = comments or {}
    lines = ["[mapping]", f"project = {_quote(mapping.project)}"]
    if mapping.sheet is not None:
        lines.append(f"sheet = {_quote(mapping.sheet)}")
    if mapping.header_row != 1 or ("mapping", "header_row") in notes:
        lines.append(f"header_row = {mapping.header_row}")
    if mapping.stop_at_blank_row or ("mapping", "stop_at_blank_row") in notes:
        lines.append(f"stop_at_blank_row = {'true' if mapping.stop_at_blank_row else 'false'}")
    if mapping.date_format is not None:
        lines.append(f"date_format = {_quote(mapping.date_format)}")
    for key in ("header_row", "stop_at_blank_row"):
        if ("mapping", key) in notes:
            index = next(i for i, line in enumerate(lines) if line.startswith(f"{key} ="))
            lines[index] += f"  # {notes[('mapping', key)]}"
    lines += ["", "[columns]"]
    lines += [_line(k, v, notes.get(("columns", k))) for k, v in mapping.columns.items()]
    if mapping.constants:
        lines += ["", "[constants]"]
        lines += [_line(k, v, notes.get(("constants", k))) for k, v in mapping.constants.items()]
    headers = list(mapping.values) + [h for h in (skipped or {}) if h not in mapping.values]
    for header in headers:
        table = mapping.values.get(header, {})
        lines += ["", f"[values.{header}]"]
        lines += [_line(k, v, notes.get((header, k))) for k, v in table.items()]
        for written, note in (skipped or {}).get(header, []):
            lines.append(f'# {_quote(written)} = ""  # {note}')
    return "\n".join(lines) + "\n"


# -- applying ----------------------------------------------------------------------------


@dataclass
class Applied:
    """A file read through a mapping."""

    #: The file's own columns under its header row, every row below it: what the guard reads.
    source: RawTable
    #: Rows above the header row (titles), guarded too; None when the header is row 1.
    above: RawTable | None
    #: Canonical headers and recoded values, rows as Excel numbers them.
    canonical: RawTable
    #: Field name -> how the file names it (its own header, or "insats (fast värde)").
    written: dict[str, str]
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: Canonical header -> values the mapping has not seen (as written, unmasked only
    #: for the page's code pickers; messages mask them).
    new_values: dict[str, list[str]] = field(default_factory=dict)
    #: The file could not be read through the mapping at all (no header row).
    fatal: bool = False

    def without_repeats(self, problems: list[Problem]) -> list[Problem]:
        """Validation's problems, less those that only repeat an unseen value reported here."""
        columns = {self.written[_FIELDS_BY_HEADER[h].name] for h in self.new_values}
        shown = {mask_value(c) for c in columns}
        repeats = {"okand_kod", "ej_ja_nej", "ej_heltal", "utanfor_intervall"}
        return [p for p in problems if not (p.rule in repeats and p.column in shown)]


def _distinct(frame: pl.DataFrame) -> dict[str, pl.Series]:
    return {c: frame.get_column(c).drop_nulls().unique() for c in frame.columns if c != ROW_COLUMN}


def _table(
    headers: list[str], frame: pl.DataFrame, file_format: str, header_row: int = 1
) -> RawTable:
    return RawTable(headers, frame, file_format, _distinct(frame), header_row=header_row)


def reheader(table: RawTable, header_row: int) -> tuple[RawTable, RawTable | None]:
    """The table with its headers taken from Excel row ``header_row``, and the rows above.

    The reader takes the first row with a value as headers, so a title above the real
    header row arrives as the header; every row keeps the number Excel shows.
    """
    if header_row <= table.header_row:
        return table, None
    rows = table.frame.get_column(ROW_COLUMN)
    if not (rows == header_row).any():
        raise ValueError(header_row)
    header_values = table.frame.filter(pl.col(ROW_COLUMN) == header_row).row(0, named=True)
    headers = [(header_values[c] or "").strip() for c in table.value_columns]
    below = table.frame.filter(pl.col(ROW_COLUMN) > header_row)
    above_rows = table.frame.filter(pl.col(ROW_COLUMN) < header_row)
    # The first row read (taken as headers by the reader) is a title row, too.
    first = pl.DataFrame(
        {
            ROW_COLUMN: [table.header_row],
            **{c: [h or None] for c, h in zip(table.value_columns, table.headers, strict=True)},
        },
        schema={ROW_COLUMN: pl.Int64, **dict.fromkeys(table.value_columns, pl.String)},
    )
    above = pl.concat([first, above_rows.select(first.columns)])
    return (
        _table(headers, below, table.file_format, header_row),
        _table(
            [f"rad ovanför rubrikraden, kolumn {i + 1}" for i in range(len(headers))],
            above,
            table.file_format,
        ),
    )


def _rows_text(count: int) -> str:
    return "1 rad" if count == 1 else f"{count} rader"


def truncate_at_blank_row(table: RawTable) -> tuple[RawTable, str | None]:
    """Rows after the first blank row (a gap in Excel's row numbers) are dropped.

    Blank rows between the header row and the first data row do not count: they end no
    list, they only separate the headers from it.
    """
    rows = table.frame.get_column(ROW_COLUMN).to_list()
    if not rows:
        return table, None
    previous = rows[0] - 1
    for index, row in enumerate(rows):
        if row != previous + 1:
            kept = table.frame.head(index)
            ignored = len(rows) - index
            warning = (
                f"Läsningen stannade vid den första tomma raden (rad {previous + 1}); "
                f"{_rows_text(ignored)} efter den har ignorerats (t.ex. en summarad)."
            )
            return _table(table.headers, kept, table.file_format, table.header_row), warning
        previous = row
    return table, None


def canonical_accepts(header: str, value: str) -> bool:
    """True when today's validation reads ``value`` for ``header`` without any mapping."""
    f = _FIELDS_BY_HEADER[header]
    folded = schema.normalize_header(value)
    if f.kind == "code":
        return folded in _code_lookup(f.name)
    if f.kind == "yesno":
        return value.strip().lower() in _YES_NO
    if f.kind == "integer":
        return re.fullmatch(r"[+-]?\d+(?:[.,]0*)?", value.strip()) is not None
    return True


def _lookup(table: MappingType[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    exact = {k: v for k, v in table.items() if k != ""}
    folded = {schema.normalize_header(k): v for k, v in exact.items()}
    return exact, folded


def _date_text(value: str, date_format: str | None) -> str | None:
    """ISO text of a date written as ISO, ÅÅÅÅMMDD, an Excel serial or ``date_format``."""
    text = value.strip()
    if _ISO_DATE.match(text):
        return text[:10]
    if date_format is not None:
        try:
            return datetime.strptime(text, date_format).date().isoformat()
        except ValueError:
            pass
    if match := _COMPACT_DATE.match(text):
        try:
            return date(int(match[1]), int(match[2]), int(match[3])).isoformat()
        except ValueError:
            return None
    if (match := _SERIAL.match(text)) and _SERIAL_RANGE[0] <= int(match[1]) <= _SERIAL_RANGE[1]:
        return (_EXCEL_EPOCH + timedelta(days=int(match[1]))).isoformat()
    return None


def header_changes(mapping: Mapping, headers: list[str]) -> tuple[list[str], list[str]]:
    """(headers in the file the mapping does not list, mapped headers the file lacks)."""
    present = [h for h in headers if h]
    new = [h for h in present if mapping.mapped_target(h) is None]
    folded = {schema.normalize_header(h) for h in present}
    gone = [h for h in mapping.columns if schema.normalize_header(h) not in folded]
    return new, gone


def apply_mapping(table: RawTable, mapping: Mapping) -> Applied:
    """Read ``table`` (as the reader gave it) through ``mapping``.

    Raises nothing for bad input: a header row beyond the file, unseen values, birth
    dates in the birth-year column and the like come back as problems.
    """
    try:
        source, above = reheader(table, mapping.header_row)
    except ValueError:
        problem = Problem(
            "rubrikrad_saknas",
            f"Kopplingen säger att rubrikerna står på rad {mapping.header_row}, men den raden "
            "är tom eller finns inte i filen. Rätta header_row i kopplingen.",
            rows=[mapping.header_row],
        )
        empty = _table([], table.frame.select(ROW_COLUMN).clear(), table.file_format)
        return Applied(empty, None, empty, {}, [problem], fatal=True)
    warnings: list[str] = []
    body = source
    if mapping.stop_at_blank_row:
        body, warning = truncate_at_blank_row(source)
        if warning:
            warnings.append(warning)

    problems: list[Problem] = []
    targets: dict[str, int] = {}  # target header -> source column index
    written: dict[str, str] = {}
    for index, header in enumerate(body.headers):
        if not header:
            continue
        target = mapping.mapped_target(header)
        if target is None:
            name = schema.field_for_header(header)
            f = schema.FIELDS_BY_NAME.get(name) if name else None
            target = f.header if f else (schema.REPORT_MONTH_HEADER if name else None)
            listed = {*mapping.columns.values(), *mapping.constants}
            if target is None or target in targets or target in listed:
                if not schema.is_personal_data_header(header):
                    warnings.append(
                        f"Kolumnen '{mask_value(header)}' finns inte i kopplingen och har "
                        "ignorerats."
                    )
                continue
        if target == "":
            continue
        if target in targets:
            problems.append(
                Problem(
                    "dubbel_kolumn",
                    f"Både '{mask_value(body.headers[targets[target]])}' och "
                    f"'{mask_value(header)}' ger '{target}'. Rätta kopplingen.",
                    column=mask_value(header),
                    rows=[mapping.header_row],
                )
            )
            continue
        targets[target] = index
        written[target] = header
    for gone in header_changes(mapping, body.headers)[1]:
        if mapping.columns[gone]:
            warnings.append(f"Kolumnen '{mask_value(gone)}' i kopplingen finns inte i filen.")

    columns: dict[str, pl.Expr] = {}
    new_values: dict[str, list[str]] = {}
    for target, index in targets.items():
        expr = pl.col(value_column(index))
        column_name = value_column(index)
        table_values = mapping.values.get(target)
        if table_values is not None:
            exact, folded = _lookup(table_values)
            # Only values below the header row (and before a blank row) count.
            present = body.distinct[column_name].to_list()
            replace: dict[str, str] = {}
            unseen: list[str] = []
            for value in present:
                code = exact.get(value, folded.get(schema.normalize_header(value)))
                if code is not None:
                    replace[value] = code
                elif not canonical_accepts(target, value):
                    unseen.append(value)
            if unseen:
                new_values[target] = sorted(unseen)
                failing = body.frame.select(ROW_COLUMN, pl.col(column_name)).filter(
                    pl.col(column_name).is_in(unseen)
                )
                count, rows, examples = rows_and_examples(failing, column_name, mask_value)
                shown = ", ".join(f"'{mask_value(v)}'" for v in sorted(unseen)[:10])
                problems.append(
                    Problem(
                        "nytt_varde",
                        f"Kolumn {mask_value(written[target])}: värden som kopplingen inte "
                        f"känner till på {_rows_text(count)}, första på rad {rows[0]}: {shown}. "
                        f"Utöka kopplingen ([values.{target}]) och ladda upp igen.",
                        mask_value(written[target]),
                        count,
                        rows,
                        examples,
                    )
                )
            if replace:
                expr = expr.replace(replace)
            if "" in table_values:
                expr = expr.fill_null(pl.lit(table_values[""]))
        f = _FIELDS_BY_HEADER.get(target)
        if f is not None and f.kind == "date":
            dates = {
                v: iso
                for v in body.distinct[column_name].to_list()
                if (iso := _date_text(v, mapping.date_format)) is not None and iso != v
            }
            if dates:
                expr = expr.replace(dates)
        columns[target] = expr

    if BIRTH_YEAR in targets:
        columns.pop(BIRTH_YEAR)
        age, birth_problems = _age_from_birth_year(
            body, value_column(targets[BIRTH_YEAR]), written[BIRTH_YEAR], columns.get(START_HEADER)
        )
        problems += birth_problems
        if age is not None:
            columns[AGE_HEADER] = age
            written[AGE_HEADER] = f"{written[BIRTH_YEAR]} (ålder vid start)"
    for header, value in mapping.constants.items():
        columns[header] = pl.lit(value, dtype=pl.String)
        written[header] = f"{header} (fast värde i kopplingen)"

    headers = list(columns)
    frame = body.frame.select(
        ROW_COLUMN,
        *[expr.cast(pl.String).alias(value_column(i)) for i, expr in enumerate(columns.values())],
    )
    canonical = RawTable(
        headers, frame, table.file_format, _mapped_distinct(body, frame, columns, targets)
    )
    field_written = {
        (_FIELDS_BY_HEADER[h].name if h in _FIELDS_BY_HEADER else schema.REPORT_MONTH_FIELD): w
        for h, w in written.items()
        if h != BIRTH_YEAR
    }
    return Applied(source, above, canonical, field_written, problems, warnings, new_values)


def _mapped_distinct(
    body: RawTable, frame: pl.DataFrame, columns: dict[str, pl.Expr], targets: dict[str, int]
) -> dict[str, pl.Series]:
    """Each output column's distinct values: a column recoded from one source column is
    its source's distinct values (and a blank) put through the same recoding, which is far
    cheaper than a pass over every row; the rest (constants, age) are read off the frame."""
    distinct: dict[str, pl.Series] = {}
    for i, (target, expr) in enumerate(columns.items()):
        name = value_column(i)
        source = value_column(targets[target]) if target in targets else None
        if source is None or source not in body.distinct:
            distinct[name] = frame.get_column(name).drop_nulls().unique()
            continue
        values = pl.concat([body.distinct[source], pl.Series([None], dtype=pl.String)])
        recoded = pl.DataFrame({source: values}).select(expr.cast(pl.String)).to_series()
        distinct[name] = recoded.drop_nulls().unique().alias(name)
    return distinct


def _age_from_birth_year(
    body: RawTable, column: str, header: str, start: pl.Expr | None
) -> tuple[pl.Expr | None, list[Problem]]:
    """Age at start = start year - birth year. A full birth date is personal data: refused."""
    values = body.frame.get_column(column).drop_nulls().unique().to_list()
    full = [v for v in values if _FULL_DATE.match(v.strip())]
    other = [v for v in values if v not in full and not _YEAR.match(v.strip())]
    problems: list[Problem] = []
    shown = mask_value(header)
    if full:
        failing = body.frame.select(ROW_COLUMN, pl.col(column)).filter(pl.col(column).is_in(full))
        count, rows, _ = rows_and_examples(failing, column, mask_value)
        problems.append(
            Problem(
                "fodelsedatum",
                f"Kolumn {shown} innehåller fullständiga födelsedatum på {_rows_text(count)}, "
                f"första på rad {rows[0]}. Ett födelsedatum är en personuppgift: ange bara "
                "födelseåret (ÅÅÅÅ) och ladda upp igen; inget har sparats.",
                shown,
                count,
                rows,
                [_mask_birth_date(v) for v in sorted(full)[:5]],
            )
        )
    if other:
        failing = body.frame.select(ROW_COLUMN, pl.col(column)).filter(pl.col(column).is_in(other))
        count, rows, examples = rows_and_examples(failing, column, mask_value)
        problems.append(
            Problem(
                "ej_fodelsear",
                f"Kolumn {shown}: värdet är inte ett födelseår på {_rows_text(count)}, första på "
                f"rad {rows[0]}. Skriv året med fyra siffror, t.ex. 1985.",
                shown,
                count,
                rows,
                examples,
            )
        )
    if problems or start is None:
        return None, problems
    birth = pl.col(column).str.strip_chars().str.extract(r"^(\d{4})").cast(pl.Int64)
    start_year = start.str.extract(r"^(\d{4})-\d{2}-\d{2}").cast(pl.Int64)
    return (start_year - birth), problems


def _mask_birth_date(value: str) -> str:
    """Keep the year, mask month and day: ``1985-01-01`` -> ``1985-**-**``."""
    digits = re.sub(r"\D", "", value)
    if len(digits) == 8:
        return f"{digits[:4]}-**-**"
    return re.sub(r"\d", "*", value)
