"""The personal-data guard: refuse files that carry identity numbers, e-mail or phone numbers.

Case exports must be pseudonymised. The guard looks at every raw value of every column
(known or not) and at the headers. Only each column's unique values are examined, and a
cheap Polars prefilter leaves the exact checks (date part, Luhn digit) to a few candidates.
Every value the guard reports is masked; the full value never leaves this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl

from ingest import schema
from ingest.problems import ROW_COLUMN, Problem, rows_and_examples

# Personal identity / coordination number: 6 or 8 date digits, optional - or +, 4 digits.
_PERSONAL_NUMBER = re.compile(r"(?<!\d)(?P<date>\d{8}|\d{6})(?P<sep>[-+]?)(?P<tail>\d{4})(?!\d)")
_EMAIL = re.compile(r"[^\s@<>()\[\],;:\"']+@[^\s@<>()\[\],;:\"']+\.[^\s@<>()\[\],;:\"']+")
# A run that starts like a Swedish phone number; the digit count is checked afterwards.
_PHONE = re.compile(r"(?<![\w+(])\(?(?:\+46|0)[\d()]*(?:[ \-][\d()]+)*")
_DATE_LIKE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}-\d{1,2}-\d{2,4}")

# Polars prefilter (no look-around in Rust regex): a superset of what the exact checks find.
_PREFILTER = r"\d{6}[-+]?\d{4}|@|(?:\+46|0)[\d() \-]{7,}"

KIND_PERSONAL_NUMBER = "personnummer"
KIND_EMAIL = "epost"
KIND_PHONE = "telefon"
RULE_PERSONAL_HEADER = "personuppgiftskolumn"

_KIND_TEXT = {
    KIND_PERSONAL_NUMBER: "personnummer eller samordningsnummer",
    KIND_EMAIL: "e-postadresser",
    KIND_PHONE: "telefonnummer",
}


@dataclass(frozen=True)
class Hit:
    """One piece of personal data found inside a value."""

    kind: str
    start: int
    end: int
    masked: str


def luhn_valid(ten_digits: str) -> bool:
    """The Luhn check digit of a 10-digit Swedish identity number (YYMMDDNNNC)."""
    total = 0
    for position, char in enumerate(ten_digits[:9]):
        product = int(char) * (2 if position % 2 == 0 else 1)
        total += product // 10 + product % 10
    return (10 - total % 10) % 10 == int(ten_digits[9])


def is_personal_number(date_part: str, tail: str) -> bool:
    """True for a valid personal identity or coordination number (day + 60)."""
    if len(date_part) == 8:
        if date_part[:2] not in ("18", "19", "20"):
            return False
        date_part = date_part[2:]
    month, day = int(date_part[2:4]), int(date_part[4:6])
    if not 1 <= month <= 12:
        return False
    if not (1 <= day <= 31 or 61 <= day <= 91):
        return False
    return luhn_valid(date_part + tail)


def _phone_digits(text: str) -> str | None:
    """National digits of a phone-number candidate, or None when it is not one."""
    cleaned = re.sub(r"[\s\-()]", "", text)
    if cleaned.startswith("+46"):
        rest = cleaned[3:]
        digits = "46" + rest
    elif cleaned.startswith("0046"):
        rest = cleaned[4:]
        digits = "46" + rest
    elif cleaned.startswith("0") and not cleaned.startswith("00"):
        rest = cleaned
        digits = cleaned
    else:
        return None
    if not rest.isdigit() or not 8 <= len(digits) <= 12:
        return None
    return digits


def _mask_phone(text: str) -> str:
    return text[:3] + re.sub(r"\d", "*", text[3:])


def find_personal_data(value: str) -> list[Hit]:
    """Every identity number, e-mail address and phone number inside ``value``."""
    hits: list[Hit] = []
    for match in _PERSONAL_NUMBER.finditer(value):
        if is_personal_number(match["date"], match["tail"]):
            sep = "+" if match["sep"] == "+" else "-"
            masked = f"{match['date']}{sep}****"
            hits.append(Hit(KIND_PERSONAL_NUMBER, match.start(), match.end(), masked))
    taken = [(h.start, h.end) for h in hits]

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    for match in _EMAIL.finditer(value):
        if free(match.start(), match.end()):
            masked = f"{match.group()[0]}***@***"
            hits.append(Hit(KIND_EMAIL, match.start(), match.end(), masked))
            taken.append((match.start(), match.end()))
    for match in _PHONE.finditer(value):
        text = match.group().rstrip(" -")
        end = match.start() + len(text)
        if _DATE_LIKE.search(text) or not free(match.start(), end):
            continue
        if _phone_digits(text) is not None:
            hits.append(Hit(KIND_PHONE, match.start(), end, _mask_phone(text)))
    return sorted(hits, key=lambda h: h.start)


def mask_value(value: str) -> str:
    """The value with every piece of personal data in it masked; other text unchanged.

    ``19850101-1234`` -> ``19850101-****``, ``anna.svensson@exempel.se`` -> ``a***@***``,
    ``070-1234567`` -> ``070-*******``.
    """
    text = str(value)
    hits = find_personal_data(text)
    for hit in reversed(hits):
        text = text[: hit.start] + hit.masked + text[hit.end :]
    return text


def guard_message(kind: str) -> str:
    """The Swedish sentence for one kind of personal data."""
    return (
        f"Filen innehåller något som ser ut som {_KIND_TEXT[kind]}. Ta bort uppgiften "
        "(eller kolumnen) och ladda upp igen; inget har sparats."
    )


def check_headers(headers: list[str]) -> list[Problem]:
    """Columns named like personal data, and headers that themselves hold personal data."""
    problems: list[Problem] = []
    for header in headers:
        shown = mask_value(header)
        if header and schema.is_personal_data_header(header):
            problems.append(
                Problem(
                    RULE_PERSONAL_HEADER,
                    f"Kolumnen '{shown}' ser ut att innehålla personuppgifter. Ta bort kolumnen "
                    "och ladda upp igen; inget har sparats.",
                    column=shown,
                    count=0,
                    rows=[1],
                )
            )
        for kind in sorted({hit.kind for hit in find_personal_data(header)}):
            problems.append(Problem(kind, guard_message(kind), column=shown, count=0, rows=[1]))
    return problems


def offending_values(distinct: pl.Series) -> dict[str, set[str]]:
    """The distinct values of one column that hold personal data, per kind."""
    values = distinct.drop_nulls()
    candidates = values.filter(values.str.contains(_PREFILTER)).unique()
    found: dict[str, set[str]] = {}
    for value in candidates.to_list():
        for kind in {hit.kind for hit in find_personal_data(value)}:
            found.setdefault(kind, set()).add(value)
    return found


def check_values(
    frame: pl.DataFrame, headers: dict[str, str], distinct: dict[str, pl.Series] | None = None
) -> list[Problem]:
    """One problem per (kind, column) for values that look like personal data.

    ``headers`` maps the frame's value columns to the header as written in the file;
    ``frame`` also holds ``ROW_COLUMN``; ``distinct`` may carry each column's distinct values.
    """
    problems: list[Problem] = []
    for column, header in headers.items():
        values_of_column = (
            distinct[column] if distinct is not None else frame.get_column(column).unique()
        )
        for kind, values in sorted(offending_values(values_of_column).items()):
            failing = frame.select(ROW_COLUMN, column).filter(pl.col(column).is_in(list(values)))
            count, rows, examples = rows_and_examples(failing, column, mask_value)
            problems.append(
                Problem(kind, guard_message(kind), mask_value(header), count, rows, examples)
            )
    return problems
