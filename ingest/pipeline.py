"""One call from an uploaded file to canonical cases or the reasons it was refused."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from ingest import guard
from ingest.headers import map_headers
from ingest.limits import FILE_LIMITS, FileLimits
from ingest.problems import Problem, ValidationOutcome
from ingest.reader import RawTable, UnreadableFile, read_table
from ingest.report_month import month_in_file_name
from ingest.schema import is_personal_data_header
from ingest.validation import validate

if TYPE_CHECKING:
    from ingest.mapping import Mapping

PREVIEW_ROWS = 20
_UNNAMED_FILE = "uppladdad fil"

Progress = Callable[[float, str], None]


def read_and_validate(
    source: bytes | str | Path,
    file_name: str | None = None,
    progress: Progress | None = None,
    limits: FileLimits = FILE_LIMITS,
    month: str | None = None,
    mapping: Mapping | None = None,
) -> ValidationOutcome:
    """Read, guard and validate one export. Never raises for bad input: problems say why.

    ``limits`` (size, rows, unpacked size) are checked before the file is parsed; the
    upload page passes ``ingest.limits.UPLOAD_LIMITS``. Dates are checked against the
    report month: ``month`` when given, else the file's ``rapportmanad``, else the month
    in the file name (the order ``resolve_report_month`` uses). With a ``mapping`` the file
    is a project's own sheet, read through it (see ``ingest.mapping``).
    """
    name = file_name or (Path(source).name if isinstance(source, str | Path) else _UNNAMED_FILE)
    try:
        outcome = _read_and_validate(source, name, progress, limits, month, mapping)
    except Exception as exc:
        # The exception text may quote the file's values, so only its type is shown.
        outcome = _refused(
            name,
            Problem(
                "ovantat_fel",
                f"Filen kunde inte kontrolleras ({type(exc).__name__}). Kontrollera att det är "
                "en export i rätt format och försök igen; inget har sparats.",
            ),
        )
    # The name is shown wherever the outcome goes, so it is masked; personal data in it
    # refuses the file as it would in a cell.
    problems = guard.check_file_name(name) + outcome.problems
    return dataclasses.replace(
        outcome,
        file_name=guard.mask_value(name),
        cases=outcome.cases if not problems else None,
        problems=problems,
    )


def _read_and_validate(
    source: bytes | str | Path,
    name: str,
    progress: Progress | None,
    limits: FileLimits,
    month: str | None,
    mapping: Mapping | None = None,
) -> ValidationOutcome:
    report = progress or (lambda fraction, step: None)
    if isinstance(source, str | Path):
        try:
            data = Path(source).read_bytes()
        except OSError:
            return _refused(name, Problem("ej_lasbar", "Filen kunde inte öppnas. Välj den igen."))
    else:
        data = bytes(source)

    report(0.05, "Läser filen")
    try:
        table = read_table(data, name, limits, sheet=mapping.sheet if mapping else None)
    except UnreadableFile as exc:
        return _refused(name, exc.problem)

    applied = None
    if mapping is not None:
        from ingest.mapping import apply_mapping

        applied = apply_mapping(table, mapping)
        # The guard reads the file's own columns, every row, mapped or not.
        guarded = [applied.source, *([applied.above] if applied.above is not None else [])]
    else:
        guarded = [table]
    preview = _preview(guarded[0])
    rows_read = (applied.canonical if applied else table).frame.height
    report(0.35, "Söker efter personuppgifter")
    problems = guard.check_sheet_names(table.sheet_names)
    for part in guarded:
        problems += guard.check_headers(part.headers)
        written = dict(zip(part.value_columns, part.headers, strict=True))
        problems += guard.check_values(part.frame, written, part.distinct)

    warnings: list[str] = []
    if applied is not None:
        if applied.fatal:
            return ValidationOutcome(name, None, problems + applied.problems, [], preview, 0)
        problems += applied.problems
        warnings += applied.warnings
        table = applied.canonical
    header_map = map_headers(table.headers)
    if applied is not None:
        header_map.headers.update(applied.written)
    problems += header_map.problems
    warnings += header_map.warnings
    if rows_read == 0:
        problems.append(
            Problem(
                "inga_rader",
                "Filen har inga datarader, bara rubriker. Exportera med deltagarraderna och "
                "ladda upp igen.",
            )
        )
        report(1.0, "Klart")
        return ValidationOutcome(name, None, problems, warnings, preview, 0)

    report(0.6, "Kontrollerar värden")
    validated = validate(table, header_map, month, month_in_file_name(name))
    problems += applied.without_repeats(validated.problems) if applied else validated.problems
    warnings += validated.warnings
    report(1.0, "Klart")
    cases = validated.cases if not problems else None
    return ValidationOutcome(
        name, cases, problems, warnings, preview, rows_read, validated.checked_month
    )


def _refused(name: str, problem: Problem) -> ValidationOutcome:
    return ValidationOutcome(name, None, [problem], [], pl.DataFrame(), 0)


def _preview(table: RawTable) -> pl.DataFrame:
    """First data rows as read, headers as written, personal data masked."""
    head = table.frame.head(PREVIEW_ROWS)
    columns: dict[str, list[str | None]] = {}
    for index, (column, header) in enumerate(zip(table.value_columns, table.headers, strict=True)):
        title = guard.mask_value(header) or f"Kolumn {index + 1}"
        while title in columns:
            title = f"{title} ({index + 1})"
        values = head.get_column(column).to_list()
        if is_personal_data_header(header):
            columns[title] = [None if v is None else "***" for v in values]
        else:
            columns[title] = [None if v is None else guard.mask_value(v) for v in values]
    return pl.DataFrame(columns, schema=dict.fromkeys(columns, pl.String))
