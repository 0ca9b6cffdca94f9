"""Map the headers a file was written with to the canonical fields."""

from __future__ import annotations

from dataclasses import dataclass, field

from ingest import schema
from ingest.guard import mask_value
from ingest.problems import Problem


@dataclass
class HeaderMap:
    """Which file column feeds which field, and what was wrong with the headers."""

    columns: dict[str, int] = field(default_factory=dict)  # field name -> file column index
    headers: dict[str, str] = field(default_factory=dict)  # field name -> header as written
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # required fields without a column


def map_headers(headers: list[str]) -> HeaderMap:
    """Match headers case-, space- and diacritic-insensitively, aliases included.

    Unknown columns are ignored with a warning (personal-data columns are refused by the
    guard, not here); a field named twice and a required field missing are problems.
    """
    result = HeaderMap()
    seen: dict[str, list[str]] = {}
    for index, header in enumerate(headers):
        name = schema.field_for_header(header) if header else None
        if name is None:
            if header and not schema.is_personal_data_header(header):
                result.warnings.append(
                    f"Kolumnen '{mask_value(header)}' känns inte igen och har ignorerats."
                )
            elif not header:
                result.warnings.append(f"Kolumn {index + 1} saknar rubrik och har ignorerats.")
            continue
        seen.setdefault(name, []).append(header)
        if name not in result.columns:
            result.columns[name] = index
            result.headers[name] = header
    for name, written in seen.items():
        if len(written) > 1:
            shown = ", ".join(f"'{mask_value(h)}'" for h in written)
            result.problems.append(
                Problem(
                    "dubbel_kolumn",
                    f"Kolumnen {_field_header(name)} förekommer {len(written)} gånger ({shown}). "
                    "Behåll en av dem och ladda upp igen.",
                    column=mask_value(written[1]),
                    rows=[1],
                )
            )
    for f in schema.FIELDS:
        if f.required and f.name not in result.columns:
            result.missing.append(f.name)
            result.problems.append(
                Problem(
                    "saknad_kolumn",
                    f"Kolumnen '{f.header}' ({f.label}) saknas men är obligatorisk. Lägg till "
                    "den och ladda upp igen.",
                    column=f.header,
                    rows=[1],
                )
            )
    return result


def _field_header(name: str) -> str:
    f = schema.FIELDS_BY_NAME.get(name)
    return f"'{f.header}'" if f else f"'{schema.REPORT_MONTH_HEADER}'"
