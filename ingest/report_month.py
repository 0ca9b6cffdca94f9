"""Which month an upload describes: given explicitly, in the file, or in the file name."""

from __future__ import annotations

import re

from ingest import schema
from ingest.guard import mask_value
from ingest.problems import ValidationOutcome

_EXPLICIT = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_IN_NAME = re.compile(r"(?<!\d)((?:19|20)\d{2})[-_](0[1-9]|1[0-2])(?!\d)")
MISSING_MESSAGE = (
    "Rapportmånad saknas: ange --month ÅÅÅÅ-MM, en kolumn rapportmanad eller ÅÅÅÅ-MM i filnamnet."
)


def resolve_report_month(
    explicit: str | None, outcome: ValidationOutcome, file_name: str
) -> tuple[str | None, str | None]:
    """``(month, None)`` or ``(None, Swedish error)``.

    Order: the explicit month, else the file's single ``rapportmanad`` value, else a
    ``YYYY-MM`` (or ``YYYY_MM``) in the file name.
    """
    if explicit is not None:
        month = explicit.strip()
        if _EXPLICIT.match(month):
            return month, None
        return None, f"Ogiltig rapportmånad '{mask_value(month)}': ange den som ÅÅÅÅ-MM."
    cases = outcome.cases
    if cases is not None and schema.REPORT_MONTH_FIELD in cases.columns:
        months = sorted(cases.get_column(schema.REPORT_MONTH_FIELD).drop_nulls().unique().to_list())
        if len(months) == 1:
            return months[0], None
        if len(months) > 1:
            shown = ", ".join(months[:5]) + (" …" if len(months) > 5 else "")
            return None, (
                f"Kolumnen rapportmanad har flera olika månader ({shown}); en fil ska "
                "beskriva en enda månad. Dela upp filen eller ange --month ÅÅÅÅ-MM."
            )
    found = month_in_file_name(file_name)
    if found is not None:
        return found, None
    return None, MISSING_MESSAGE


def month_in_file_name(file_name: str) -> str | None:
    """The ``YYYY-MM`` (or ``YYYY_MM``) in a file name, if there is one."""
    found = _IN_NAME.search(file_name)
    return f"{found.group(1)}-{found.group(2)}" if found else None
