"""Suggest a mapping for a project's own sheet: never silently, always with how sure it is.

Headers are matched against the export format's headers, labels and aliases (from
``ingest.schema``) and a list of Swedish words projects use for them, first exactly, then
by fuzzy matching (rapidfuzz). Values of coded columns are matched the same way against
the codes, their Swedish labels and the words projects use (``FB``, ``SjP``, ``CSN`` ...).
Each suggestion carries a confidence between 0 and 1; the person confirms.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping as MappingType
from dataclasses import dataclass, field

import polars as pl
from rapidfuzz import fuzz, process

from ingest import schema
from ingest.mapping import (
    BIRTH_YEAR,
    PROJECT_HEADER,
    Mapping,
    allowed_codes,
    canonical_accepts,
    mapping_to_toml,
    reheader,
    truncate_at_blank_row,
)
from ingest.problems import ROW_COLUMN
from ingest.reader import RawTable, value_column
from ingest.validation import _YES_NO, _code_lookup

#: At or above this a suggestion needs no comment in the draft.
SURE = 0.9
_HEADER_CUTOFF = 80
_VALUE_CUTOFF = 70
_SYNONYM = 0.95
#: Rows below the reader's first row searched for the real header row.
_HEADER_SEARCH_ROWS = 20

#: Words projects use for the headers, beyond the format's own headers, labels and aliases.
HEADER_WORDS: dict[str, tuple[str, ...]] = {
    "deltagare_id": ("deltagarnr", "deltagarnummer", "deltagarkod", "löpnummer", "kod", "nr"),
    "insats": ("projekt", "projektnamn", "insatsnamn", "verksamhet"),
    "kommun": ("hemkommun", "bostadskommun", "kommuntillhörighet"),
    "stadsdel": ("stadsdelsnämnd", "område"),
    "kon": ("kön", "juridiskt kön"),
    "alder": ("ålder", "ålder vid start", "ålder vid inskrivning"),
    "aldersgrupp": ("åldersgrupp", "åldersklass"),
    "utrikes_fodd": ("född utomlands", "utlandsfödd", "född i annat land"),
    "utbildning": ("utbildningsnivå", "högsta utbildning"),
    "startdatum": ("inskrivningsdatum", "inskriven", "datum start", "startdatum i insatsen"),
    "slutdatum": ("avslutsdatum", "utskrivningsdatum", "utskriven", "datum avslut", "avslutad"),
    "manader_bistand": (
        "månader med försörjningsstöd",
        "tid med försörjningsstöd",
        "antal månader bistånd",
    ),
    "diagnos": ("diagnosgrupp", "huvuddiagnos", "hälsa"),
    "lakarintyg": ("läkarintyg", "sjukskriven vid start", "läkarintyg vid start"),
    "planering": ("gemensam planering", "samordnad planering", "sip-planering"),
    "sip": ("antal sip", "sip-möten", "sip möten"),
    "forsorjning_start": (
        "försörjning vid start",
        "försörjning start",
        "inkomst vid start",
        "huvudsaklig försörjning vid start",
    ),
    "forsorjning_slut": (
        "försörjning vid avslut",
        "försörjning avslut",
        "försörjning slut",
        "inkomst vid avslut",
        "huvudsaklig försörjning vid avslut",
    ),
    "aktivitet_start": ("aktiv vid start", "i aktivitet vid start", "aktivitet vid start"),
    "aktivitet_slut": ("aktiv vid avslut", "i aktivitet vid avslut", "aktivitet vid avslut"),
    "steg_start": ("steg vid start", "trappsteg vid start", "steg start"),
    "steg_slut": ("steg vid avslut", "trappsteg vid avslut", "steg avslut"),
    "bistand_slut": ("bistånd vid avslut", "ekonomiskt bistånd vid avslut"),
    "avslutsorsak": ("orsak till avslut", "avslutsanledning", "anledning till avslut"),
    "anonym": ("anonym deltagare", "utan personuppgifter"),
    BIRTH_YEAR: ("födelseår", "född år", "år född", "födelse år"),
    schema.REPORT_MONTH_HEADER: ("rapportmånad", "månad", "period"),
}

_INCOME_WORDS: dict[str, tuple[str, ...]] = {
    "ekonomiskt_bistand": (
        "försörjningsstöd",
        "FB",
        "EB",
        "ek bistånd",
        "socialbidrag",
        "bistånd",
    ),
    "sjukpenning": ("SjP", "sjukpenning", "sjukskriven"),
    "sjukersattning": ("SA", "sjukersättning", "förtidspension"),
    "aktivitetsersattning": ("AE", "aktivitetsersättning"),
    "a_kassa": ("A-kassa", "arbetslöshetsersättning", "akassa"),
    "aktivitetsstod": ("aktivitetsstöd", "LAS"),
    "lon": ("anställning", "arbete", "jobb", "lön", "lönearbete", "lönebidrag", "nystartsjobb"),
    "studiemedel": ("CSN", "studier", "studiebidrag", "studielån"),
    "annan": ("annat", "övrigt", "annan inkomst"),
    "ingen": ("ingen inkomst", "saknar inkomst", "ingen försörjning"),
    "okand": ("vet ej", "okänt", "uppgift saknas"),
}

#: Words projects use for the codes, per canonical header (keyed by code group below).
VALUE_WORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "income": _INCOME_WORDS,
    "exit_reason": {
        "arbete": ("jobb", "fått jobb", "anställning", "fått arbete"),
        "studier": ("studera", "börjat studera", "utbildning"),
        "ersattning": ("sjukersättning", "aktivitetsersättning", "ersättning från FK", "FK"),
        "annan_insats": ("annan aktör", "vidare till annan aktör", "överlämnad", "remitterad"),
        "projektet_avslutat": ("projektslut", "projekttiden slut", "insatsen avslutad"),
        "flyttat": ("flytt", "flyttat från kommunen", "utflyttad"),
        "avbrutet": ("avbrott", "avbrutit", "avhopp", "egen begäran", "avslutat på egen begäran"),
        "annat": ("övrigt", "annan orsak"),
        "felregistrering": ("felregistrerad", "fel", "dubblett"),
    },
    "gender": {
        "K": ("kvinna", "kvinnor", "kv", "F"),
        "M": ("man", "män"),
        "X": ("annat", "icke-binär", "okänt", "vill ej uppge"),
    },
    "education": {
        "forgymnasial": ("grundskola", "folkskola", "ej fullständig grundskola"),
        "gymnasial": ("gymnasium", "gymnasieutbildning", "gymnasieskola"),
        "eftergymnasial": ("högskola", "universitet", "yrkeshögskola", "eftergymnasial"),
        "okand": ("vet ej", "okänt", "uppgift saknas"),
    },
    "diagnosis_group": {
        "psykiatrisk": ("psykisk", "psykisk ohälsa", "psyk"),
        "somatisk": ("fysisk", "kroppslig"),
        "smarta": ("smärta", "smärtproblematik"),
        "flera": ("flera diagnoser", "kombination", "samsjuklighet"),
        "okand": ("vet ej", "okänt", "uppgift saknas"),
    },
    "aid_end": {
        "helt": ("fullt", "helt bistånd", "ja helt"),
        "delvis": ("delvis bistånd", "kompletterande"),
        "inget": ("nej", "inget bistånd", "självförsörjande"),
    },
    "yesno": {
        "Ja": ("x", "ja", "j", "1", "sant", "true", "yes", "y"),
        "Nej": ("nej", "n", "0", "falskt", "false", "no", "-"),
    },
}


def fold(text: str) -> str:
    """Lower case, no diacritics, words separated by one space (for fuzzy matching)."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return " ".join("".join(c if c.isalnum() else " " for c in plain).split())


def _header_choices() -> dict[str, str]:
    """Folded phrase -> target header, from the schema and the words above."""
    choices: dict[str, str] = {}
    for f in schema.FIELDS:
        for phrase in (f.header, f.label, *f.aliases, *HEADER_WORDS.get(f.header, ())):
            choices.setdefault(fold(phrase), f.header)
    for header in (BIRTH_YEAR, schema.REPORT_MONTH_HEADER):
        for phrase in (header, *HEADER_WORDS[header]):
            choices.setdefault(fold(phrase), header)
    return choices


HEADER_CHOICES: dict[str, str] = _header_choices()
#: The same phrases without spaces: "Deltagar-nr" and "deltagarnr" are one header.
_HEADER_COMPACT: dict[str, str] = {k.replace(" ", ""): v for k, v in HEADER_CHOICES.items()}


def _value_group(header: str) -> str:
    return schema.FIELDS_BY_HEADER[header].label_kind


def _value_choices(header: str) -> dict[str, str]:
    """Folded word -> code for one coded header: codes, labels, then projects' words."""
    f = schema.FIELDS_BY_HEADER[header]
    choices: dict[str, str] = {}
    if f.kind in ("code", "yesno"):
        group = _value_group(header)
        labels = schema.CODE_LABELS.get(group, {})
        for code in allowed_codes(header):
            choices.setdefault(fold(code), code)
            if code in labels:
                choices.setdefault(fold(labels[code]), code)
        for code, words in VALUE_WORDS.get(group, {}).items():
            for word in words:
                choices.setdefault(fold(word), code)
    else:  # the ladder: "Steg 3", "3 Förrehabilitering"
        labels = schema.CODE_LABELS["step"]
        for code in allowed_codes(header):
            choices.setdefault(fold(labels.get(code, code)), code)
            choices.setdefault(fold(f"steg {code}"), code)
    return choices


@dataclass
class ColumnSuggestion:
    index: int
    header: str  # as written in the file
    target: str  # canonical header, "fodelsear", or "" (ignored)
    confidence: float
    reason: str  # Swedish, for the draft's comment and the page


@dataclass
class ValueSuggestion:
    value: str  # as written; "" is a blank cell
    count: int
    code: str | None
    confidence: float
    masked: str = ""  # the value as it may be shown


@dataclass
class Suggestion:
    """A draft mapping and, for each of its lines, how sure the suggestion is."""

    mapping: Mapping
    columns: list[ColumnSuggestion]
    values: dict[str, list[ValueSuggestion]] = field(default_factory=dict)
    notes: dict[tuple[str, str], str] = field(default_factory=dict)
    body: RawTable | None = None  # the rows under the header row that were looked at

    def toml(self) -> str:
        """The draft as TOML, a comment on each uncertain line; values with no code to
        suggest are written commented out, so they stay unmapped until someone decides."""
        skipped = {
            header: [
                (v.value, f"{v.count} st: ingen säker kod, välj bland {_codes_text(header)}")
                for v in values
                if v.code is None and v.value != ""
            ]
            for header, values in self.values.items()
        }
        return mapping_to_toml(self.mapping, self.notes, {h: s for h, s in skipped.items() if s})


def _codes_text(header: str) -> str:
    return ", ".join(allowed_codes(header))


def _percent(confidence: float) -> str:
    return f"{round(confidence * 100)} %"


def match_header(header: str) -> tuple[str, float, str]:
    """(target, confidence, reason) for one header as written."""
    if schema.is_personal_data_header(header):
        return "", 1.0, "personuppgifter: kolumnen ska inte finnas i filen"
    folded = fold(header)
    if folded.replace(" ", "") in _HEADER_COMPACT:
        return _HEADER_COMPACT[folded.replace(" ", "")], 1.0, "känd rubrik"
    best = process.extractOne(
        folded, list(HEADER_CHOICES), scorer=fuzz.WRatio, score_cutoff=_HEADER_CUTOFF
    )
    if best is None:
        return "", 0.0, "okänd kolumn: ignoreras"
    phrase, score, _ = best
    confidence = min(score / 100, 0.89)
    return HEADER_CHOICES[phrase], confidence, f"liknar '{phrase}' ({_percent(confidence)})"


def match_value(header: str, value: str) -> tuple[str | None, float]:
    """(code, confidence) for one value as written in a coded column."""
    if canonical_accepts(header, value):
        f = schema.FIELDS_BY_HEADER[header]
        if f.kind == "code":
            return _code_lookup(f.name)[schema.normalize_header(value)], 1.0
        if f.kind == "yesno":
            return ("Ja" if _YES_NO[value.strip().lower()] else "Nej"), 1.0
        return str(int(float(value.strip().replace(",", ".")))), 1.0
    choices = _value_choices(header)
    folded = fold(value)
    if folded in choices:
        return choices[folded], _SYNONYM
    best = process.extractOne(folded, list(choices), scorer=fuzz.WRatio, score_cutoff=_VALUE_CUTOFF)
    if best is None:
        return None, 0.0
    return choices[best[0]], min(best[1] / 100 * 0.9, 0.85)


def _header_row(table: RawTable) -> int:
    """Excel's row of the line that looks most like headers: most known header words."""
    candidates = [(table.header_row, table.headers)]
    head = table.frame.head(_HEADER_SEARCH_ROWS)
    for row in head.iter_rows(named=True):
        cells = [row[c] or "" for c in table.value_columns]
        candidates.append((row[ROW_COLUMN], cells))

    def score(cells: list[str]) -> float:
        return sum(match_header(c)[1] for c in cells if c and not c.replace(".", "").isdigit())

    best_row, best_cells = max(candidates, key=lambda item: score(item[1]))
    return best_row if score(best_cells) >= 2 else table.header_row


def suggest_mapping(
    table: RawTable, project: str | None, base: Mapping | None = None
) -> Suggestion:
    """A draft mapping for ``table`` (as the reader gave it) for insats ``project``.

    With ``base`` (the insats's saved mapping) only what it lacks is suggested: new
    headers and new values; everything it already says is kept.
    """
    notes: dict[tuple[str, str], str] = {}
    if base is not None:
        mapping = Mapping(
            project=base.project,
            sheet=base.sheet,
            header_row=base.header_row,
            stop_at_blank_row=base.stop_at_blank_row,
            date_format=base.date_format,
            columns=dict(base.columns),
            constants=dict(base.constants),
            values={k: dict(v) for k, v in base.values.items()},
        )
    else:
        mapping = Mapping(project=project or "")
        mapping.header_row = _header_row(table)
        if mapping.header_row != 1:
            notes[("mapping", "header_row")] = (
                f"rubrikerna hittades på rad {mapping.header_row}: kontrollera"
            )
    try:
        source, _ = reheader(table, mapping.header_row)
    except ValueError:
        source = table
    body = source
    if base is None:
        body, warning = truncate_at_blank_row(source)
        if warning is not None:
            mapping.stop_at_blank_row = True
            ignored = source.frame.height - body.frame.height
            rows = "1 rad" if ignored == 1 else f"{ignored} rader"
            notes[("mapping", "stop_at_blank_row")] = (
                f"{rows} efter en tom rad (t.ex. en summarad) läses inte: kontrollera"
            )
    elif mapping.stop_at_blank_row:
        body, _ = truncate_at_blank_row(source)

    columns = _suggest_columns(body.headers, mapping, notes)
    targets = {c.target: c.index for c in columns if c.target}
    targets.update(
        {t: i for i, h in enumerate(body.headers) if h and (t := mapping.mapped_target(h))}
    )
    if PROJECT_HEADER not in targets and PROJECT_HEADER not in mapping.constants:
        if not mapping.project:
            mapping.project = "Insatsens namn"
            notes[("constants", PROJECT_HEADER)] = (
                "ändra till insatsens namn (även under [mapping])"
            )
        mapping.constants[PROJECT_HEADER] = mapping.project
        notes.setdefault(("constants", PROJECT_HEADER), "filen har ingen kolumn för insatsen")
    if not mapping.project:
        mapping.project = _single_value(body, targets.get(PROJECT_HEADER)) or "Insatsens namn"

    values: dict[str, list[ValueSuggestion]] = {}
    for target, index in targets.items():
        if target not in schema.FIELDS_BY_HEADER or not allowed_codes(target):
            continue
        suggestions = _suggest_values(body, index, target, mapping, notes)
        if suggestions:
            values[target] = suggestions
    return Suggestion(mapping, columns, values, notes, body)


def _single_value(body: RawTable, index: int | None) -> str | None:
    if index is None:
        return None
    found = body.frame.get_column(value_column(index)).drop_nulls().unique().to_list()
    return found[0] if len(found) == 1 else None


def _suggest_columns(
    headers: list[str], mapping: Mapping, notes: dict[tuple[str, str], str]
) -> list[ColumnSuggestion]:
    """Best target per header; each target is given once, to the surest header."""
    present = {schema.normalize_header(h) for h in headers if h}
    # A saved header the file no longer has gives way to the file's own (a renamed column).
    for written in [h for h in mapping.columns if schema.normalize_header(h) not in present]:
        del mapping.columns[written]
    taken = {t for t in mapping.columns.values() if t}
    taken |= set(mapping.constants)
    proposals: list[ColumnSuggestion] = []
    for index, header in enumerate(headers):
        if not header or mapping.mapped_target(header) is not None:
            continue
        target, confidence, reason = match_header(header)
        proposals.append(ColumnSuggestion(index, header, target, confidence, reason))
    for proposal in sorted(proposals, key=lambda p: -p.confidence):
        if proposal.target and proposal.target in taken:
            proposal.reason = f"'{proposal.target}' har redan en kolumn: ignoreras"
            proposal.target, proposal.confidence = "", 0.5
        taken.add(proposal.target)
    for proposal in sorted(proposals, key=lambda p: p.index):
        mapping.columns[proposal.header] = proposal.target
        if proposal.confidence < SURE or proposal.target == "":
            notes[("columns", proposal.header)] = proposal.reason
    return proposals


def suggest_values(
    body: RawTable, index: int, target: str, known: MappingType[str, str] | None = None
) -> list[ValueSuggestion]:
    """Each distinct value of column ``index`` (blank cells as ""), most frequent first,
    with its suggested code for ``target``; values in ``known`` keep their code."""
    from ingest.guard import find_personal_data, mask_value

    known = known or {}
    column = value_column(index)
    counts = (
        body.frame.get_column(column)
        .value_counts(sort=True)
        .sort(["count", column], descending=[True, False])
    )
    result: list[ValueSuggestion] = []
    blanks = 0
    for value, count in counts.iter_rows():
        if value is None:
            blanks = count
        elif find_personal_data(value):
            continue  # refused by the guard; never offered, never written into a draft
        elif value in known:
            result.append(ValueSuggestion(value, count, known[value], 1.0, mask_value(value)))
        else:
            code, confidence = match_value(target, value)
            result.append(ValueSuggestion(value, count, code, confidence, mask_value(value)))
    if blanks:
        blank = ValueSuggestion("", blanks, known.get(""), 1.0 if "" in known else 0.0)
        marks_yes_only = schema.FIELDS_BY_HEADER[target].kind == "yesno" and {
            v.code for v in result
        } == {"Ja"}
        if "" not in known and marks_yes_only:
            blank.code, blank.confidence = "Nej", 0.7
        result.append(blank)
    return result


def _suggest_values(
    body: RawTable,
    index: int,
    target: str,
    mapping: Mapping,
    notes: dict[tuple[str, str], str],
) -> list[ValueSuggestion]:
    known = mapping.values.get(target, {})
    result = suggest_values(body, index, target, known)
    table = dict(known)
    for item in result:
        if item.value in known or item.code is None:
            continue
        if item.value == "":
            table[""] = item.code
            notes[(target, "")] = "tom cell tolkas som Nej: kontrollera"
            continue
        if item.code != item.value:
            table[item.value] = item.code
        if item.confidence < SURE:
            notes[(target, item.value)] = f"osäker ({_percent(item.confidence)}): kontrollera"
    if table:
        mapping.values[target] = table
    return result


def value_counts_frame(values: list[ValueSuggestion]) -> pl.DataFrame:
    """The distinct values of a column, as shown: masked value, count, suggested code."""
    return pl.DataFrame(
        {
            "Värde": [v.masked or ("(tom)" if v.value == "" else v.value) for v in values],
            "Antal": [v.count for v in values],
            "Förslag": [v.code or "" for v in values],
            "Säkerhet": [_percent(v.confidence) for v in values],
        },
        schema={"Värde": pl.String, "Antal": pl.Int64, "Förslag": pl.String, "Säkerhet": pl.String},
    )
