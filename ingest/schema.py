"""The case export format: the one place that knows headers, aliases, codes and labels.

Every other module takes its column names, code lists and Swedish labels from here.
Internally a case is described by English field names (``municipality``); files and
users speak the Swedish headers (``kommun``).

A new column is one ``Field`` in ``FIELDS`` (with its codes and labels) and a store
migration; dtypes, validation, store columns, breakdowns and the demo and benchmark
frames follow from the declaration, and ``tests/test_export_format.py`` says if not.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import polars as pl

#: The Polars dtype each kind of field is held in.
_KIND_DTYPES: dict[str, pl.DataType] = {
    "text": pl.String(),
    "code": pl.String(),
    "integer": pl.Int64(),
    "date": pl.Date(),
    "yesno": pl.Boolean(),
    "month": pl.String(),
}


@dataclass(frozen=True)
class Field:
    """One column of the canonical case export.

    Everything else that knows the format (dtypes, the validation schema, the store's
    columns, the breakdowns, the demo and benchmark frames) is derived from these
    declarations.
    """

    name: str  # internal field name (English)
    header: str  # canonical header in files (Swedish, ascii)
    label: str  # Swedish label shown to users
    kind: str  # text | code | integer | date | yesno | month
    required: bool = False
    codes: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    max_length: int | None = None
    aliases: tuple[str, ...] = field(default_factory=tuple)
    #: Metrics can be broken down and cases filtered by this field (``--by kommun``).
    breakdown: bool = False
    #: Describes the state at exit: empty while the participation is ongoing.
    at_exit: bool = False
    #: The value an empty cell stands for; such a field is never null once validated.
    when_empty: bool | None = None
    #: A column validation adds right after this one (the municipality's SCB code).
    code_column: str | None = None
    #: The key of the Swedish labels of its values in ``CODE_LABELS`` (default: by kind).
    labels: str | None = None

    @property
    def dtype(self) -> pl.DataType:
        """The Polars dtype of the field in a canonical frame."""
        return _KIND_DTYPES[self.kind]

    @property
    def nullable(self) -> bool:
        """Whether a validated case may leave the field empty."""
        return not self.required and self.when_empty is None

    @property
    def label_kind(self) -> str:
        """The key of the Swedish labels of its values in ``CODE_LABELS``."""
        if self.labels is not None:
            return self.labels
        return "yesno" if self.kind == "yesno" else self.name


INCOME_CODES: tuple[str, ...] = (
    "ekonomiskt_bistand",
    "sjukpenning",
    "sjukersattning",
    "aktivitetsersattning",
    "a_kassa",
    "aktivitetsstod",
    "lon",
    "studiemedel",
    "annan",
    "ingen",
    "okand",
)
EXIT_CODES: tuple[str, ...] = (
    "arbete",
    "studier",
    "ersattning",
    "annan_insats",
    "projektet_avslutat",
    "flyttat",
    "avbrutet",
    "annat",
    "felregistrering",
)
GENDER_CODES: tuple[str, ...] = ("K", "M", "X")
AGE_GROUPS: tuple[str, ...] = ("16-24", "25-34", "35-44", "45-54", "55-64", "65+")
EDUCATION_CODES: tuple[str, ...] = ("forgymnasial", "gymnasial", "eftergymnasial", "okand")
DIAGNOSIS_CODES: tuple[str, ...] = ("psykiatrisk", "somatisk", "smarta", "flera", "okand")
AID_END_CODES: tuple[str, ...] = ("helt", "delvis", "inget")
STEPS: tuple[int, ...] = (1, 2, 3, 4, 5, 6)

FIELDS: tuple[Field, ...] = (
    Field(
        "case_id",
        "deltagare_id",
        "Deltagar-id",
        "text",
        required=True,
        max_length=40,
        aliases=("deltagarid", "deltagare", "id", "lopnummer", "lopnr"),
    ),
    Field(
        "project",
        "insats",
        "Insats",
        "text",
        required=True,
        max_length=100,
        aliases=("projekt",),
        breakdown=True,
    ),
    Field(
        "municipality",
        "kommun",
        "Kommun",
        "text",
        required=True,
        max_length=100,
        aliases=("kommunnamn", "kommunkod"),
        breakdown=True,
        code_column="municipality_code",
    ),
    Field(
        "district",
        "stadsdel",
        "Stadsdel",
        "text",
        max_length=100,
        aliases=("stadsdelsomrade",),
        breakdown=True,
    ),
    Field("gender", "kon", "Kön", "code", required=True, codes=GENDER_CODES, breakdown=True),
    Field("age", "alder", "Ålder", "integer", minimum=16, maximum=70),
    Field("age_group", "aldersgrupp", "Åldersgrupp", "code", codes=AGE_GROUPS, breakdown=True),
    Field(
        "born_abroad",
        "utrikes_fodd",
        "Utrikes född",
        "yesno",
        aliases=("utrikesfodd",),
        breakdown=True,
    ),
    Field("education", "utbildning", "Utbildning", "code", codes=EDUCATION_CODES),
    Field("start_date", "startdatum", "Startdatum", "date", required=True, aliases=("start",)),
    Field("end_date", "slutdatum", "Slutdatum", "date", aliases=("slut", "avslutsdatum")),
    Field(
        "months_on_aid",
        "manader_bistand",
        "Månader med bistånd före start",
        "integer",
        minimum=0,
        maximum=600,
    ),
    Field("diagnosis_group", "diagnos", "Diagnosgrupp", "code", codes=DIAGNOSIS_CODES),
    Field("sick_note", "lakarintyg", "Läkarintyg vid start", "yesno"),
    Field("joint_plan", "planering", "Gemensam planering", "yesno"),
    Field("sip_meetings", "sip", "Antal SIP-möten", "integer", minimum=0, maximum=1000),
    Field(
        "income_start",
        "forsorjning_start",
        "Försörjning vid start",
        "code",
        codes=INCOME_CODES,
        labels="income",
    ),
    Field("active_start", "aktivitet_start", "I aktivitet vid start", "yesno"),
    Field(
        "step_start", "steg_start", "Steg vid start", "integer", minimum=1, maximum=6, labels="step"
    ),
    Field(
        "income_end",
        "forsorjning_slut",
        "Försörjning vid avslut",
        "code",
        codes=INCOME_CODES,
        at_exit=True,
        labels="income",
    ),
    Field(
        "aid_end",
        "bistand_slut",
        "Ekonomiskt bistånd vid avslut",
        "code",
        codes=AID_END_CODES,
        at_exit=True,
    ),
    Field("active_end", "aktivitet_slut", "I aktivitet vid avslut", "yesno", at_exit=True),
    Field(
        "step_end",
        "steg_slut",
        "Steg vid avslut",
        "integer",
        minimum=1,
        maximum=6,
        at_exit=True,
        labels="step",
    ),
    Field("exit_reason", "avslutsorsak", "Avslutsorsak", "code", codes=EXIT_CODES, at_exit=True),
    # An empty cell means "Nej": only anonymous participations are marked.
    Field("anonymous", "anonym", "Anonym", "yesno", when_empty=False),
)

FIELDS_BY_NAME: dict[str, Field] = {f.name: f for f in FIELDS}
FIELDS_BY_HEADER: dict[str, Field] = {f.header: f for f in FIELDS}

#: The report month a file may carry in a column instead of ``--month``. Not a case
#: column: the store keeps it with the import, and snapshots carry it.
REPORT_MONTH = Field("report_month", "rapportmanad", "Rapportmånad", "month", breakdown=True)
REPORT_MONTH_HEADER = REPORT_MONTH.header
REPORT_MONTH_FIELD = REPORT_MONTH.name

#: Extra field stored with the municipality: the SCB code (4 digits).
MUNICIPALITY_CODE_FIELD = "municipality_code"


def _case_dtypes() -> dict[str, pl.DataType]:
    dtypes: dict[str, pl.DataType] = {}
    for f in FIELDS:
        dtypes[f.name] = f.dtype
        if f.code_column is not None:
            dtypes[f.code_column] = pl.String()
    return dtypes


#: Polars dtypes of the canonical case frame, in order: every field, and the columns
#: validation adds (``municipality_code``). A field with ``when_empty`` is never null.
CASE_DTYPES: dict[str, pl.DataType] = _case_dtypes()
CASE_COLUMNS: tuple[str, ...] = tuple(CASE_DTYPES)

#: Snapshot frames (what the store returns) add the report month and the import id.
SNAPSHOT_DTYPES: dict[str, pl.DataType] = {
    **CASE_DTYPES,
    REPORT_MONTH.name: REPORT_MONTH.dtype,
    "import_id": pl.Int64(),
}

#: Fields describing the state at exit, in export order.
EXIT_FIELDS: tuple[str, ...] = tuple(f.name for f in FIELDS if f.at_exit)

#: Fields any metric can be broken down by, with the header users type (`--by kommun`).
BREAKDOWN_FIELDS: dict[str, str] = {
    f.header: f.name for f in (*FIELDS, REPORT_MONTH) if f.breakdown
}
BREAKDOWN_HEADERS: dict[str, str] = {v: k for k, v in BREAKDOWN_FIELDS.items()}


def case_frame(columns: Mapping[str, Any] | pl.DataFrame) -> pl.DataFrame:
    """A canonical case frame from columns by field name: every ``CASE_DTYPES`` column in
    order and cast to its dtype; a nullable column not given is null throughout.

    A column the format does not know, or a non-nullable one left out, is an error: a
    frame built with this follows the format as it changes.
    """
    given = columns if isinstance(columns, pl.DataFrame) else pl.DataFrame(columns, strict=False)
    unknown = [c for c in given.columns if c not in CASE_DTYPES]
    required = {f.name for f in FIELDS if not f.nullable}
    missing = [c for c in CASE_COLUMNS if c in required and c not in given.columns]
    if unknown or missing:
        raise ValueError(f"Inga fält i formatet: {unknown}; saknade fält: {missing}")
    return given.select(
        pl.col(name).cast(dtype) if name in given.columns else pl.lit(None, dtype).alias(name)
        for name, dtype in CASE_DTYPES.items()
    )


def export_frame(columns: Mapping[str, Any] | pl.DataFrame) -> pl.DataFrame:
    """A case export as a file carries it, from columns by header, in the format's order
    (the report month last). Values are kept as given; optional columns may be left out.

    A header the format does not know, or a required one left out, is an error.
    """
    given = columns if isinstance(columns, pl.DataFrame) else pl.DataFrame(columns, strict=False)
    order = [f.header for f in (*FIELDS, REPORT_MONTH)]
    unknown = [c for c in given.columns if c not in order]
    missing = [f.header for f in FIELDS if f.required and f.header not in given.columns]
    if unknown or missing:
        raise ValueError(f"Inga kolumner i formatet: {unknown}; saknade kolumner: {missing}")
    return given.select(h for h in order if h in given.columns)


#: Column names that reveal personal data, Swedish and English, long and short; compared
#: after ``normalize_header``, with the whole header and with each word of it.
PERSONAL_DATA_HEADERS: tuple[str, ...] = (
    "namn",
    "name",
    "fornamn",
    "efternamn",
    "tilltalsnamn",
    "mellannamn",
    "firstname",
    "lastname",
    "surname",
    "givenname",
    "familyname",
    "fullname",
    "person",
    "personnummer",
    "personnr",
    "persnr",
    "pnr",
    "personid",
    "ssn",
    "samordningsnummer",
    "samordningsnr",
    "fodelsedatum",
    "fodelsedag",
    "birthdate",
    "dateofbirth",
    "dob",
    "adress",
    "address",
    "gatuadress",
    "postadress",
    "bostadsadress",
    "hemadress",
    "postnummer",
    "postnr",
    "zipcode",
    "postalcode",
    "telefon",
    "telefonnummer",
    "telefonnr",
    "telnr",
    "tel",
    "phone",
    "mobil",
    "mobile",
    "mobilnummer",
    "mobilnr",
    "mobiltelefon",
    "cellphone",
    "epost",
    "email",
    "mail",
    "epostadress",
    "emailadress",
    "mejl",
    "mejladress",
    "kontakt",
    "kontaktperson",
    "kontaktuppgifter",
    "contact",
    "contactperson",
    "anhorig",
)

#: Beginnings and endings of compound headers that reveal personal data:
#: "Personnummer (12 siffror)", "Mobilnr", "Kontaktperson", "deltagaretelefon", "hemadress".
_PERSONAL_PREFIXES: tuple[str, ...] = (
    "fornamn",
    "efternamn",
    "personnr",
    "personnum",
    "samordningsn",
    "telefon",
    "mobilnr",
    "mobilnum",
    "mobiltel",
    "epost",
    "email",
    "mejl",
    "kontaktperson",
    "kontaktuppgift",
    "adress",
    "address",
    "phone",
    # A birth date or day, not a birth year (which a mapping turns into age at start).
    "fodelsedat",
    "fodelsedag",
)
_PERSONAL_SUFFIXES: tuple[str, ...] = (
    "personnummer",
    "personnr",
    "telefon",
    "telefonnummer",
    "telefonnr",
    "telnr",
    "mobilnr",
    "mobilnummer",
    "epost",
    "email",
    "mail",
    "adress",
    "address",
    "phone",
)
#: A name of something that is not a person may be a column ("Projektnamn", "Project
#: name"); every other name is taken to be a person's.
_NAME_WORDS: tuple[str, ...] = ("namnet", "namn", "name")
_NOT_A_PERSON: frozenset[str] = frozenset(
    {
        "insats",
        "projekt",
        "project",
        "kommun",
        "municipality",
        "stadsdel",
        "district",
        "lan",
        "county",
        "forbund",
        "samordningsforbund",
        "verksamhet",
        "enhet",
        "unit",
        "organisation",
        "organization",
        "myndighet",
        "fil",
        "file",
        "blad",
        "sheet",
        "kolumn",
        "column",
        "variabel",
        "rapport",
        "report",
    }
)

CODE_LABELS: dict[str, dict[str, str]] = {
    "gender": {"K": "Kvinna", "M": "Man", "X": "Annat/okänt"},
    "education": {
        "forgymnasial": "Förgymnasial",
        "gymnasial": "Gymnasial",
        "eftergymnasial": "Eftergymnasial",
        "okand": "Okänd",
    },
    "diagnosis_group": {
        "psykiatrisk": "Psykiatrisk",
        "somatisk": "Somatisk",
        "smarta": "Smärta",
        "flera": "Flera",
        "okand": "Okänd",
    },
    "income": {
        "ekonomiskt_bistand": "Ekonomiskt bistånd",
        "sjukpenning": "Sjukpenning",
        "sjukersattning": "Sjukersättning",
        "aktivitetsersattning": "Aktivitetsersättning",
        "a_kassa": "A-kassa",
        "aktivitetsstod": "Aktivitetsstöd",
        "lon": "Lön (arbete)",
        "studiemedel": "Studiemedel",
        "annan": "Annan inkomst",
        "ingen": "Ingen inkomst",
        "okand": "Okänd",
    },
    "aid_end": {"helt": "Helt bistånd", "delvis": "Delvis bistånd", "inget": "Inget bistånd"},
    "exit_reason": {
        "arbete": "Arbete",
        "studier": "Studier",
        "ersattning": "Ersättning från Försäkringskassan",
        "annan_insats": "Annan insats",
        "projektet_avslutat": "Projektet avslutat",
        "flyttat": "Flyttat",
        "avbrutet": "Avbrutet",
        "annat": "Annat",
        "felregistrering": "Felregistrering",
    },
    "step": {
        "1": "1 Passiv",
        "2": "2 Utredning/behandling",
        "3": "3 Förrehabilitering",
        "4": "4 Anpassad aktivitet/arbetsträning",
        "5": "5 Arbetsinriktad rehabilitering",
        "6": "6 Arbete eller studier",
    },
    "yesno": {"true": "Ja", "false": "Nej"},
}


def normalize_header(text: str) -> str:
    """Fold a header for matching: lower case, no diacritics, only letters and digits.

    ``"Kön"``, ``"kon"`` and ``" KON "`` all become ``"kon"``; ``"Månader bistånd"`` and
    ``"manader_bistand"`` both become ``"manaderbistand"``.
    """
    decomposed = unicodedata.normalize("NFKD", str(text))
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "".join(c for c in ascii_only.lower() if c.isalnum())


def _header_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for f in FIELDS:
        for name in (f.header, *f.aliases):
            lookup[normalize_header(name)] = f.name
    lookup[normalize_header(REPORT_MONTH.header)] = REPORT_MONTH.name
    return lookup


#: normalized header -> field name
HEADER_LOOKUP: dict[str, str] = _header_lookup()
_PERSONAL_HEADERS: frozenset[str] = frozenset(normalize_header(h) for h in PERSONAL_DATA_HEADERS)


def field_for_header(header: str) -> str | None:
    """The field a file header names, or ``None`` when it names none."""
    return HEADER_LOOKUP.get(normalize_header(header))


def _words(header: str) -> list[str]:
    """The words of a header, split at spaces, punctuation and camelCase, then folded."""
    decomposed = unicodedata.normalize("NFKD", str(header))
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c))
    parts = re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+", ascii_only)
    return [normalize_header(p) for p in parts]


def _is_a_thing(owner: str) -> bool:
    """True for a word naming a project, place or file, also in the genitive."""
    return any(
        owner.removesuffix(ending) in _NOT_A_PERSON
        for ending in ("", "s", "es", "ens", "ets")
        if owner.endswith(ending)
    )


def _names_a_person(words: list[str], folded: str) -> bool:
    """True when a name word names a person: any name but that of a project, place, file."""
    candidates = [(folded, ""), *((w, words[i - 1] if i else "") for i, w in enumerate(words))]
    for word, before in candidates:
        ending = next((n for n in _NAME_WORDS if word.endswith(n)), None)
        if ending is not None and not _is_a_thing(word[: -len(ending)] or before):
            return True
    return False


def is_personal_data_header(header: str) -> bool:
    """True when a column name announces personal data (namn, personnummer, adress ...).

    A canonical header or alias never does (``kon``, ``kommunnamn``); otherwise the whole
    header and each of its words are compared with names, beginnings and endings of
    personal-data columns, in Swedish and English.
    """
    folded = normalize_header(header)
    if not folded or folded in HEADER_LOOKUP:
        return False
    words = _words(header)
    for word in {folded, *words}.difference(_NAME_WORDS):  # names: see _names_a_person
        if (
            word in _PERSONAL_HEADERS
            or word.startswith(_PERSONAL_PREFIXES)
            or word.endswith(_PERSONAL_SUFFIXES)
        ):
            return True
    return _names_a_person(words, folded)


def label_for_code(kind: str, code: object) -> str:
    """Swedish label of a code; unknown codes are shown as they are."""
    if code is None:
        return "Uppgift saknas"
    return CODE_LABELS.get(kind, {}).get(str(code), str(code))
