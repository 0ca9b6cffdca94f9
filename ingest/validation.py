"""Turn the string frame into canonical cases, reporting every broken rule per column.

Parsing (text -> integer, date, yes/no, code, municipality) records what cannot be read;
the rules themselves (codes, ranges, lengths, required values, dates in order and within the
report month, duplicates, age group) are declared once in :class:`CaseRows` and checked by
dataframely.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import cast

import dataframely as dy
import polars as pl

from ingest import municipalities, schema
from ingest.encoding import MOJIBAKE_PATTERN, repair_mojibake
from ingest.guard import mask_value
from ingest.headers import HeaderMap
from ingest.problems import ROW_COLUMN, Problem, rows_and_examples
from ingest.reader import RawTable, value_column

_YES_NO: dict[str, bool] = {
    "ja": True,
    "j": True,
    "1": True,
    "true": True,
    "sant": True,
    "nej": False,
    "n": False,
    "0": False,
    "false": False,
    "falskt": False,
}
_GENDER_WORDS: dict[str, str] = {"kvinna": "K", "man": "M", "annan": "X", "annat": "X"}
_INTEGER = r"^[+-]?\d+(?:\.0*)?$"
_DATE = r"^(\d{4}-\d{2}-\d{2})(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
_MONTH = r"^(\d{4})-?(0[1-9]|1[0-2])(?:-\d{2}(?: 00:00:00)?)?$"
_PRIMARY_KEY = ("project", "case_id", "start_date")


def _column(f: schema.Field) -> dy.Column:
    """The dataframely column for one canonical field, from its declaration in the schema."""
    nullable = f.nullable
    primary_key = f.name in _PRIMARY_KEY
    if f.kind == "text":
        return dy.String(
            nullable=nullable, primary_key=primary_key, min_length=1, max_length=f.max_length
        )
    if f.kind == "code":
        codes = list(f.codes)
        return dy.String(nullable=nullable, check=lambda col: col.is_in(codes))
    if f.kind == "integer":
        return dy.Int64(nullable=nullable, min=f.minimum, max=f.maximum)
    if f.kind == "date":
        return dy.Date(nullable=nullable, primary_key=primary_key)
    if f.kind == "yesno":
        return dy.Bool(nullable=nullable)
    raise ValueError(f"okänd fälttyp {f.kind}")


def _age_groups() -> dict[int, str]:
    f = schema.FIELDS_BY_NAME["age"]
    if f.minimum is None or f.maximum is None:
        raise ValueError("åldersfältet saknar gränser i schemat")
    lowers = [(int(g.split("-")[0].rstrip("+")), g) for g in schema.AGE_GROUPS]
    return {
        age: next(g for lower, g in reversed(lowers) if age >= lower)
        for age in range(f.minimum, f.maximum + 1)
    }


AGE_GROUP_OF_AGE: dict[int, str] = _age_groups()


def age_group_for(age: pl.Expr) -> pl.Expr:
    """The age group of an age in the valid range (null outside it)."""
    return age.replace_strict(AGE_GROUP_OF_AGE, default=None, return_dtype=pl.String)


class _CaseRowRules(dy.Schema):
    """The rules across columns of a case row; :data:`CaseRows` adds the columns."""

    @dy.rule()
    def end_not_before_start(cls) -> pl.Expr:
        return pl.col("end_date") >= pl.col("start_date")

    # An export describes its report month: nothing in it can start or end after that.
    @dy.rule()
    def start_within_report_month(cls) -> pl.Expr:
        return pl.col("start_date") <= pl.col("report_month_end")

    @dy.rule()
    def end_within_report_month(cls) -> pl.Expr:
        return pl.col("end_date") <= pl.col("report_month_end")

    @dy.rule()
    def age_group_matches_age(cls) -> pl.Expr:
        derived = age_group_for(pl.col("age"))
        return (
            derived.is_null()
            | ~pl.col("age_group").is_in(list(schema.AGE_GROUPS))
            | (pl.col("age_group") == derived)
        )


def _case_row_columns() -> dict[str, dy.Column]:
    """``excel_row``, every field and the columns validation adds, in frame order."""
    columns: dict[str, dy.Column] = {"excel_row": dy.Int64()}
    for f in schema.FIELDS:
        columns[f.name] = _column(f)
        if f.code_column is not None:
            columns[f.code_column] = dy.String(nullable=True, regex=r"^\d{4}$")
    #: Last day of the report month the dates are checked against; null when none is known.
    columns["report_month_end"] = dy.Date(nullable=True)
    return columns


#: The canonical case export's rules, declared once: one column per field of
#: ``schema.FIELDS`` (built from its declaration) and the rules across columns;
#: ``excel_row`` locates failures.
CaseRows = cast(
    type[_CaseRowRules],
    types.new_class(
        "CaseRows",
        (_CaseRowRules,),
        exec_body=lambda namespace: namespace.update(
            {"__module__": __name__, **_case_row_columns()}
        ),
    ),
)


@dataclass
class Validated:
    cases: pl.DataFrame | None
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: The report month the dates were checked against, when one was known.
    checked_month: str | None = None


_REPORT_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def _month_end(month: str | None) -> dt.date | None:
    found = _REPORT_MONTH.match(month or "")
    if found is None:
        return None
    year, number = int(found[1]), int(found[2])
    return dt.date(year, number, calendar.monthrange(year, number)[1])


def _month_to_check(
    explicit: str | None, in_file: pl.Series | None, in_name: str | None
) -> str | None:
    """The report month as ``resolve_report_month`` will settle it, or None where it will
    refuse the file anyway (a bad explicit month, several months in the column)."""
    if explicit is not None:
        return explicit.strip() if _month_end(explicit.strip()) else None
    if in_file is not None:
        months = in_file.drop_nulls().unique()
        if months.len() > 1:
            return None
        if months.len() == 1:
            return months.item()
    return in_name


def _raw(name: str) -> str:
    return f"raw_{name}"


def _rows_text(count: int) -> str:
    return "1 rad" if count == 1 else f"{count} rader"


class _Reporter:
    """Builds one Problem per (rule, column) from the failing rows of the raw frame."""

    def __init__(self, raw: pl.DataFrame, headers: HeaderMap) -> None:
        self.raw = raw
        self.headers = headers
        self.problems: list[Problem] = []

    def header(self, name: str) -> str:
        written = self.headers.headers.get(name)
        if written is not None:
            return mask_value(written)
        f = schema.FIELDS_BY_NAME.get(name)
        return f.header if f else schema.REPORT_MONTH_HEADER

    def add(
        self,
        rule: str,
        name: str,
        failing: pl.DataFrame,
        what: str,
        advice: str,
        value: pl.Expr | None = None,
    ) -> None:
        """``failing`` holds ROW_COLUMN and the raw columns; ``value`` picks the example."""
        if failing.height == 0:
            return
        shown = (
            failing.select(ROW_COLUMN, value.alias("__value"))
            if value is not None
            else failing.select(ROW_COLUMN, pl.col(_raw(name)).alias("__value"))
        )
        count, rows, examples = rows_and_examples(shown, "__value", mask_value)
        column = self.header(name)
        first = f" ('{examples[0]}')" if examples else ""
        message = (
            f"Kolumn {column}: {what} på {_rows_text(count)}, första på rad {rows[0]}{first}. "
            f"{advice}"
        )
        self.problems.append(Problem(rule, message, column, count, rows, examples))


def _code_lookup(name: str) -> dict[str, str]:
    """Folded spelling -> code, from the codes and their Swedish labels."""
    f = schema.FIELDS_BY_NAME[name]
    labels = schema.CODE_LABELS.get(f.label_kind, {})
    lookup: dict[str, str] = {}
    if name == "gender":
        lookup.update(_GENDER_WORDS)
    for code in f.codes:
        lookup.setdefault(schema.normalize_header(labels.get(code, code)), code)
    for code in f.codes:
        lookup[schema.normalize_header(code)] = code
    return lookup


def _code_expr(distinct: pl.Series, name: str) -> pl.Expr:
    lookup = _code_lookup(name)
    mapping: dict[str, str] = {}
    for value in distinct.unique().to_list():
        code = lookup.get(schema.normalize_header(value))
        if code is not None and code != value:
            mapping[value] = code
    return pl.col(_raw(name)).replace(mapping) if mapping else pl.col(_raw(name))


def _parse_integer(text: pl.Expr) -> pl.Expr:
    """``12``, ``+12``, ``12,0`` and ``12.00`` are 12; anything else null."""
    text = text.str.replace(",", ".", literal=True)
    number = text.str.extract(r"^([+-]?\d+)").str.strip_prefix("+").cast(pl.Int64, strict=False)
    return pl.when(text.str.contains(_INTEGER)).then(number)


def _parse_date(text: pl.Expr) -> pl.Expr:
    """``2019-03-01`` and ``2019-03-01 00:00:00`` (what Excel dates become) are dates."""
    return text.str.extract(_DATE).str.to_date("%Y-%m-%d", strict=False)


def _parse_yes_no(text: pl.Expr) -> pl.Expr:
    return text.str.to_lowercase().replace_strict(_YES_NO, default=None, return_dtype=pl.Boolean)


def normalise_month(text: pl.Expr) -> pl.Expr:
    """``2019-03``, ``2019-03-01`` and ``201903`` -> ``2019-03``; anything else null."""
    groups = text.str.extract_groups(_MONTH)
    return pl.concat_str(groups.struct.field("1"), pl.lit("-"), groups.struct.field("2"))


def _parsed(
    distinct: pl.Series,
    rows: int,
    column: str,
    parse: Callable[[pl.Expr], pl.Expr],
    dtype: pl.DataType,
) -> pl.Expr:
    """Parse each distinct value once and map the result back: exports repeat values a lot."""
    if distinct.len() * 4 > rows:
        return parse(pl.col(column))
    parsed = pl.DataFrame({"v": distinct}).select(parse(pl.col("v"))).to_series()
    known = parsed.is_not_null()
    return pl.col(column).replace_strict(
        distinct.filter(known), parsed.filter(known), default=None, return_dtype=dtype
    )


def _municipality_columns(
    raw: pl.DataFrame, distinct: pl.Series, report: _Reporter
) -> list[pl.Expr]:
    name_map: dict[str, str] = {}
    code_map: dict[str, str] = {}
    suggestions: dict[str, str | None] = {}
    for value in distinct.unique().to_list():
        match = municipalities.resolve(value)
        if match.municipality is not None:
            name_map[value] = match.municipality.name
            code_map[value] = match.municipality.code
        else:
            suggestions[value] = match.suggestion
    if suggestions:
        failing = raw.filter(pl.col(_raw("municipality")).is_in(list(suggestions)))
        hints = sorted(
            f"'{mask_value(v)}' – menade du {s}?" for v, s in suggestions.items() if s is not None
        )[:5]
        advice = "Skriv kommunens namn eller fyrsiffriga kommunkod."
        if hints:
            advice = f"{' '.join(hints)} {advice}"
        report.add("okand_kommun", "municipality", failing, "okänd kommun", advice)
    raw_col = pl.col(_raw("municipality"))
    return [
        raw_col.replace_strict(name_map, default=None, return_dtype=pl.String).alias(
            "municipality"
        ),
        raw_col.replace_strict(code_map, default=None, return_dtype=pl.String).alias(
            schema.MUNICIPALITY_CODE_FIELD
        ),
    ]


_PARSERS: dict[str, tuple[Callable[[pl.Expr], pl.Expr], pl.DataType]] = {
    "integer": (_parse_integer, pl.Int64()),
    "date": (_parse_date, pl.Date()),
    "yesno": (_parse_yes_no, pl.Boolean()),
}

_PARSE_FAILURES: dict[str, tuple[str, str, str]] = {
    "integer": ("ej_heltal", "värdet är inte ett heltal", "Skriv ett heltal, t.ex. 12."),
    "date": ("ej_datum", "värdet är inte ett datum", "Skriv datum som ÅÅÅÅ-MM-DD."),
    "yesno": ("ej_ja_nej", "värdet är inte Ja eller Nej", "Skriv Ja eller Nej (eller J/N, 1/0)."),
}


def _rule_text(f: schema.Field) -> tuple[str, str, str]:
    """(rule id, what is wrong, what to do) for a dataframely check on field ``f``."""
    if f.kind == "code":
        return "okand_kod", "okänd kod", f"Tillåtna värden: {', '.join(f.codes)}."
    if f.kind == "integer":
        upper = f"–{f.maximum}" if f.maximum is not None else " eller mer"
        return (
            "utanfor_intervall",
            "värdet ligger utanför det tillåtna",
            f"Tillåtna värden: {f.minimum}{upper}.",
        )
    return "for_lang", "värdet är för långt", f"Högst {f.max_length} tecken."


def validate(
    table: RawTable,
    headers: HeaderMap,
    explicit_month: str | None = None,
    month_in_name: str | None = None,
) -> Validated:
    """Parse and check every row; ``cases`` is None when anything is wrong.

    Dates are checked against the report month: ``explicit_month``, else the file's
    ``rapportmanad``, else ``month_in_name``; with none of them they are not.
    """
    present = headers.columns
    raw = table.frame.select(
        ROW_COLUMN,
        *[
            (pl.col(value_column(present[f.name])) if f.name in present else pl.lit(None))
            .cast(pl.String)
            .alias(_raw(f.name))
            for f in schema.FIELDS
        ],
    )
    empty = pl.Series(values=[], dtype=pl.String)
    distinct = {
        f.name: table.distinct[value_column(present[f.name])] if f.name in present else empty
        for f in schema.FIELDS
    }
    report = _Reporter(raw, headers)
    warnings: list[str] = []
    _check_mojibake(raw, distinct, report)

    parsed: list[pl.Expr] = [pl.col(ROW_COLUMN).alias("excel_row")]
    for f in schema.FIELDS:
        if f.name == "municipality":
            parsed.extend(_municipality_columns(raw, distinct[f.name], report))
        elif f.kind == "text":
            parsed.append(pl.col(_raw(f.name)).alias(f.name))
        elif f.kind == "code":
            parsed.append(_code_expr(distinct[f.name], f.name).alias(f.name))
        else:
            parse, dtype = _PARSERS[f.kind]
            expr = _parsed(distinct[f.name], raw.height, _raw(f.name), parse, dtype)
            parsed.append(expr.alias(f.name))
    frame = raw.with_columns(parsed)

    unreadable = {
        f.name: pl.col(_raw(f.name)).is_not_null() & pl.col(f.name).is_null()
        for f in schema.FIELDS
        if f.kind in _PARSE_FAILURES and f.name in present
    }
    if unreadable:
        # One pass to find which columns have unreadable values; rows only for those.
        found = frame.select(e.any().alias(n) for n, e in unreadable.items()).row(0, named=True)
        for name, any_failing in found.items():
            if any_failing:
                rule, what, advice = _PARSE_FAILURES[schema.FIELDS_BY_NAME[name].kind]
                report.add(rule, name, frame.filter(unreadable[name]), what, advice)

    month_present = schema.REPORT_MONTH_FIELD in present
    if month_present:
        source = value_column(present[schema.REPORT_MONTH_FIELD])
        month_column = _raw(schema.REPORT_MONTH_FIELD)
        months = table.frame.select(ROW_COLUMN, pl.col(source).alias(month_column))
        month = _parsed(
            table.distinct[source], raw.height, month_column, normalise_month, pl.String()
        )
        months = months.with_columns(month.alias(schema.REPORT_MONTH_FIELD))
        report.add(
            "ej_manad",
            schema.REPORT_MONTH_FIELD,
            months.filter(
                pl.col(_raw(schema.REPORT_MONTH_FIELD)).is_not_null()
                & pl.col(schema.REPORT_MONTH_FIELD).is_null()
            ),
            "värdet är inte en månad",
            "Skriv rapportmånaden som ÅÅÅÅ-MM.",
        )
        frame = frame.with_columns(months.get_column(schema.REPORT_MONTH_FIELD))
    checked_month = _month_to_check(
        explicit_month,
        frame.get_column(schema.REPORT_MONTH_FIELD) if month_present else None,
        month_in_name,
    )
    frame = frame.with_columns(
        pl.lit(_month_end(checked_month), dtype=pl.Date).alias("report_month_end")
    )

    frame = frame.with_columns(
        pl.col(f.name).fill_null(f.when_empty) for f in schema.FIELDS if f.when_empty is not None
    )
    derived = pl.col("age_group").is_null() & age_group_for(pl.col("age")).is_not_null()
    derived_count = frame.select(derived.sum()).item()
    if derived_count:
        frame = frame.with_columns(
            pl.when(derived)
            .then(age_group_for(pl.col("age")))
            .otherwise(pl.col("age_group"))
            .alias("age_group")
        )
        warnings.append(f"Åldersgrupp har räknats fram ur ålder för {_rows_text(derived_count)}.")

    _check_rules(frame, headers, report, checked_month)
    if report.problems:
        return Validated(None, report.problems, warnings, checked_month)
    columns = [pl.col(c).cast(t) for c, t in schema.CASE_DTYPES.items()]
    if month_present:
        columns.append(pl.col(schema.REPORT_MONTH_FIELD).cast(pl.String))
    return Validated(frame.select(columns), [], warnings, checked_month)


def _check_mojibake(raw: pl.DataFrame, distinct: dict[str, pl.Series], report: _Reporter) -> None:
    """Text garbled by a wrong encoding (``VÃ¤gval``) is refused where it stands, with the
    text it most likely was; only each column's distinct values are searched."""
    for name, values in distinct.items():
        garbled = values.filter(values.str.contains(MOJIBAKE_PATTERN))
        if garbled.len() == 0:
            continue
        failing = raw.filter(pl.col(_raw(name)).is_in(garbled.implode()))
        first = failing.sort(ROW_COLUMN).get_column(_raw(name)).unique(maintain_order=True)
        hints = ", ".join(
            f"'{mask_value(v)}' är troligen '{mask_value(repair_mojibake(v))}'"
            for v in first.head(3).to_list()
        )
        report.add(
            "fel_teckenkodning",
            name,
            failing,
            "texten ser ut att ha sparats i fel teckenkodning",
            f"{hints}. Texten har gått genom fel teckenkodning (UTF-8 lästes som "
            "Windows-1252): rätta texten eller spara filen på nytt som CSV UTF-8 och ladda upp "
            "igen.",
        )


_AFTER_REPORT_MONTH = {
    "start_within_report_month": "start_date",
    "end_within_report_month": "end_date",
}


def _check_rules(
    frame: pl.DataFrame, headers: HeaderMap, report: _Reporter, checked_month: str | None
) -> None:
    """Run :class:`CaseRows` and turn each failing rule into a Problem."""
    _, failure = CaseRows.filter(frame.select(CaseRows.column_names()), cast=True)
    counts = failure.counts()
    if not counts:
        return
    details = failure.details().rename({"excel_row": ROW_COLUMN})
    raw = frame.select(ROW_COLUMN, pl.col(r"^raw_.*$"))
    for rule in counts:
        invalid = details.filter(pl.col(rule) == "invalid").select(ROW_COLUMN)
        failing = raw.join(invalid, on=ROW_COLUMN, how="semi")
        if rule == "primary_key":
            key = pl.concat_str(
                [pl.col(_raw(n)).fill_null("") for n in _PRIMARY_KEY], separator=" / "
            )
            header = " / ".join(report.header(n) for n in _PRIMARY_KEY)
            report.add(
                "dubblett",
                "case_id",
                failing,
                f"samma {header} förekommer flera gånger",
                "Varje deltagande får bara finnas en gång; ta bort eller rätta dubbletterna.",
                value=key,
            )
            continue
        if rule == "end_not_before_start":
            report.add(
                "slutdatum_fore_start",
                "end_date",
                failing,
                "slutdatum ligger före startdatum",
                "Rätta datumen och ladda upp igen.",
            )
            continue
        if rule in _AFTER_REPORT_MONTH:
            report.add(
                "datum_efter_rapportmanad",
                _AFTER_REPORT_MONTH[rule],
                failing,
                f"datumet ligger efter rapportmånaden {checked_month} (sista dagen "
                f"{_month_end(checked_month)})",
                f"En export för {checked_month} kan inte ha datum efter månadens slut. Rätta "
                "datumet, eller ange rätt rapportmånad.",
            )
            continue
        if rule == "age_group_matches_age":
            report.add(
                "aldersgrupp_stammer_inte",
                "age_group",
                failing,
                "åldersgruppen stämmer inte med åldern",
                "Rätta ålder eller åldersgrupp, eller lämna åldersgruppen tom.",
                value=pl.format(
                    "ålder {}, åldersgrupp {}", pl.col(_raw("age")), pl.col(_raw("age_group"))
                ),
            )
            continue
        name, _, check = rule.partition("|")
        f = schema.FIELDS_BY_NAME.get(name)
        if f is None:
            continue  # municipality_code: follows from municipality, reported there
        if check == "nullability":
            # A value that could not be read, or a missing column, is already reported.
            if name in headers.missing:
                continue
            failing = failing.filter(pl.col(_raw(name)).is_null())
            report.add(
                "saknat_varde",
                name,
                failing,
                "obligatoriskt värde saknas",
                f"Fyll i {f.label.lower()} på varje rad.",
                value=pl.lit(None, dtype=pl.String),
            )
            continue
        rule_id, what, advice = _rule_text(f)
        report.add(rule_id, name, failing, what, advice)
