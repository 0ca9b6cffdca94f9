"""The personal-data guard: refuse files that carry identity numbers, e-mail or phone numbers.

Case exports must be pseudonymised. The guard looks at every raw value of every column
(known or not) and at the headers. Only each column's unique values are examined, and a
cheap Polars prefilter leaves the exact checks (date part, Luhn digit) to a few candidates.
Every value the guard reports is masked; the full value never leaves this module.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import polars as pl

from ingest import schema
from ingest.problems import ROW_COLUMN, Problem, rows_and_examples

# What people put between the parts of a number: spaces, any dash, dots, slashes, "+".
# Matching runs on normalised text (see ``normalise``), so full-width forms are already
# plain ASCII here; en and em dashes and the minus sign are not folded by NFKC.
_DASHES = "\u2010-\u2015\u2212"
_SEP = rf"[\s\-+._/\\{_DASHES}]"
# Personal identity / coordination number: 6 or 8 date digits, then the 4 last digits,
# with any run of separators between the date and the rest and inside the last four.
_PERSONAL_NUMBER = re.compile(
    rf"(?<![0-9])(?P<date>[0-9]{{8}}|[0-9]{{6}})(?P<sep>{_SEP}*)"
    rf"(?P<tail>[0-9](?:{_SEP}*[0-9]){{3}})(?![0-9])"
)

# E-mail, written out or obfuscated: "anna@x.se", "anna @ x.se", "anna(at)x.se",
# "anna[at]x.se", "anna (snabel-a) x.se", "anna at x dot se", "anna at x punkt se".
_OPEN, _CLOSE = r"[(\[{<]", r"[)\]}>]"
_AT_WORD = r"(?:at|snabel-?a)"
_LOCAL = r"[^\s@<>()\[\]{},;:\"']+"
_LABEL = r"[^\s@<>()\[\]{},;:\"'.]+"
_DOT = rf"(?:\.|\s*{_OPEN}\s*(?:dot|punkt)\s*{_CLOSE}\s*|\s+(?:dot|punkt)\s+)"
_EMAIL = re.compile(
    rf"{_LOCAL}(?:"
    rf"\s*(?:@|{_OPEN}\s*{_AT_WORD}\s*{_CLOSE})\s*{_LABEL}(?:{_DOT}{_LABEL})+"
    # A bare " at " is only taken with a domain that ends in letters, as real ones do.
    rf"|\s+{_AT_WORD}\s+{_LABEL}(?:{_DOT}{_LABEL})*{_DOT}[^\W\d_]{{2,}}(?![\w@])"
    r")",
    re.IGNORECASE,
)

# A run that starts like a Swedish phone number (+46, 0046, 0, or a bare 46 before a
# mobile 7x), in groups joined by one separator; the digits are checked afterwards.
# It never starts in the middle of a chain of numbers such as a date.
_PHONE_SEP = rf"(?:\s?[\-./{_DASHES}]\s?|\s)"
_PHONE = re.compile(
    rf"(?<![\w+(])(?<![0-9][\-./{_DASHES}])\(?(?:\+46|0|46(?={_PHONE_SEP}?7))[0-9()]*"
    rf"(?:{_PHONE_SEP}[0-9()]+)*"
)
# What a candidate may end in that is not part of the number.
_PHONE_TRAILING = " \t\n\r\f\v-./" + "".join(map(chr, range(0x2010, 0x2016))) + "\u2212"
_PHONE_NOISE = re.compile(rf"[\s\-()./{_DASHES}]")
_MOBILE_AFTER_46 = re.compile(r"7[02369][0-9]{7}")
_DATE_LIKE = re.compile(
    r"(?<![0-9])(?:[0-9]{4}[-./](?P<m1>[0-9]{1,2})[-./](?P<d1>[0-9]{1,2})"
    r"|(?P<d2>[0-9]{1,2})[-./](?P<m2>[0-9]{1,2})[-./](?:[0-9]{4}|[0-9]{2}))(?![0-9])"
)

# Polars prefilter (Rust regex, no look-around): a superset of what the exact checks find,
# on the raw text. Any character outside ASCII and Latin letters may change under
# normalisation (full-width digits, dashes, zero-width marks), so such values always go on
# to the exact checks; the rest is matched in ASCII terms.
_PREFILTER_SEP = r"[\s\x1c-\x1f\-+._/\\]"
_PREFILTER = "|".join(
    (
        r"[^\x00-\x7f\u00c0-\u024f]",
        rf"[0-9]{{6}}{_PREFILTER_SEP}*[0-9](?:{_PREFILTER_SEP}*[0-9]){{3}}",
        r"@|(?i:snabel|(?:^|[^a-z])at(?:[^a-z]|$))",
        r"(?:\+46|0|46)[0-9()\s\x1c-\x1f\-./]{7,}",
    )
)

# A cell that is only an ISO date (every date column) has too few digits for any of it.
_PLAIN_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"

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


def normalise(value: str) -> str:
    """The text as the checks read it: Unicode NFKC (full-width digits and signs become
    ASCII), invisible format characters (zero-width space, soft hyphen) dropped, and any
    other script's digits written as 0-9. Plain ASCII, the usual case, is returned as is."""
    if value.isascii():
        return value
    folded = unicodedata.normalize("NFKC", value)
    kept = []
    for char in folded:
        category = unicodedata.category(char)
        if category == "Cf":
            continue
        if category == "Nd" and not char.isascii():
            char = str(unicodedata.digit(char))
        kept.append(char)
    return "".join(kept)


def luhn_valid(ten_digits: str) -> bool:
    """The Luhn check digit of a 10-digit Swedish identity number (YYMMDDNNNC)."""
    total = 0
    for position, char in enumerate(ten_digits[:9]):
        product = int(char) * (2 if position % 2 == 0 else 1)
        total += product // 10 + product % 10
    return (10 - total % 10) % 10 == int(ten_digits[9])


def is_personal_number(date_part: str, tail: str) -> bool:
    """True for a valid personal identity or coordination number (day + 60).

    ``tail`` is the last four digits, possibly with separators between them.
    """
    tail = "".join(c for c in tail if c.isdigit())
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
    if "." in text and re.search(rf"[\-/{_DASHES}]", text):
        return None  # "08.30-09.15" is a time span; dotted numbers use dots only
    cleaned = _PHONE_NOISE.sub("", text)
    if cleaned.startswith("+46"):
        rest = cleaned[3:]
        digits = "46" + rest
    elif cleaned.startswith("0046"):
        rest = cleaned[4:]
        digits = "46" + rest
    elif cleaned.startswith("46"):
        # Without + or 00 only a whole mobile number counts: 46 70 123 45 67.
        rest = cleaned[2:]
        return cleaned if _MOBILE_AFTER_46.fullmatch(rest) else None
    elif cleaned.startswith("0") and not cleaned.startswith("00"):
        # An area code has at least two digits (08, 070): "0.12345678" is a decimal.
        first_group = re.match(r"\(?0[0-9]*", text)
        if first_group is None or len(first_group.group().lstrip("(")) < 2:
            return None
        rest = cleaned
        digits = cleaned
    else:
        return None
    if not rest.isdigit() or not 8 <= len(digits) <= 12:
        return None
    return digits


def _is_date(text: str) -> bool:
    """True when the candidate holds a calendar date (2019-03-01, 01.02.2019)."""
    for match in _DATE_LIKE.finditer(text):
        month = int(match["m1"] or match["m2"])
        day = int(match["d1"] or match["d2"])
        if 1 <= month <= 12 and 1 <= day <= 31:
            return True
    return False


def _mask_phone(text: str) -> str:
    return text[:3] + re.sub(r"[0-9]", "*", text[3:])


def find_personal_data(value: str) -> list[Hit]:
    """Every identity number, e-mail address and phone number inside ``value``.

    Positions refer to ``normalise(value)``, the text the checks read.
    """
    value = normalise(value)
    hits: list[Hit] = []
    for match in _PERSONAL_NUMBER.finditer(value):
        if is_personal_number(match["date"], match["tail"]):
            sep = "+" if "+" in match["sep"] else "-"
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
        text = match.group().rstrip(_PHONE_TRAILING)
        end = match.start() + len(text)
        if _is_date(text) or not free(match.start(), end):
            continue
        if _phone_digits(text) is not None:
            hits.append(Hit(KIND_PHONE, match.start(), end, _mask_phone(text)))
    return sorted(hits, key=lambda h: h.start)


def mask_value(value: str) -> str:
    """The value with every piece of personal data in it masked; other text unchanged.

    ``19850101-1234`` -> ``19850101-****``, ``anna.svensson@exempel.se`` -> ``a***@***``,
    ``070-1234567`` -> ``070-*******``. A value with personal data in it comes back in its
    normalised form (``normalise``), so full-width digits are shown as 0-9.
    """
    text = str(value)
    hits = find_personal_data(text)
    if not hits:
        return text
    text = normalise(text)
    for hit in reversed(hits):
        text = text[: hit.start] + hit.masked + text[hit.end :]
    return text


def guard_message(kind: str) -> str:
    """The Swedish sentence for one kind of personal data."""
    return (
        f"Filen innehåller något som ser ut som {_KIND_TEXT[kind]}. Ta bort uppgiften "
        "(eller kolumnen) och ladda upp igen; inget har sparats."
    )


def _name_problems(name: str, what: str, fix: str) -> list[Problem]:
    shown = mask_value(name)
    return [
        Problem(
            kind,
            f"{what} '{shown}' innehåller något som ser ut som {_KIND_TEXT[kind]}. {fix} och "
            "ladda upp igen; inget har sparats.",
        )
        for kind in sorted({hit.kind for hit in find_personal_data(name)})
    ]


def check_file_name(file_name: str) -> list[Problem]:
    """A file name that holds personal data refuses the file, like a value would."""
    return _name_problems(file_name, "Filnamnet", "Byt namn på filen")


def check_sheet_names(sheet_names: list[str]) -> list[Problem]:
    """Sheet names are part of the file: one holding personal data refuses it."""
    problems: list[Problem] = []
    for sheet in sheet_names:
        problems += _name_problems(sheet, "Bladet", "Byt namn på bladet")
    return problems


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
    candidates = values.filter(
        values.str.contains(_PREFILTER) & ~values.str.contains(_PLAIN_DATE)
    ).unique()
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
