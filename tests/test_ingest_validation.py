"""Validation rules: codes, ranges, dates, duplicates, lengths, age groups, municipalities."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from ingest import Problem, ValidationOutcome, format_report, read_and_validate, schema
from ingest.municipalities import Municipality, resolve

BASE = {
    "deltagare_id": "D1",
    "insats": "SAMRE",
    "kommun": "Sollentuna",
    "kon": "K",
    "startdatum": "2019-03-01",
}


def validate_rows(*changes: dict[str, str]) -> ValidationOutcome:
    """A ``;`` export with one row per change applied to a valid base row (ids made unique)."""
    rows = [{**BASE, "deltagare_id": f"D{i + 1}", **change} for i, change in enumerate(changes)]
    headers = list(dict.fromkeys(h for row in rows for h in row))
    lines = [";".join(headers)] + [";".join(row.get(h, "") for h in headers) for row in rows]
    return read_and_validate(("\n".join(lines) + "\n").encode(), "mars.csv")


def only_problem(outcome: ValidationOutcome, rule: str) -> Problem:
    assert not outcome.ok
    assert outcome.cases is None
    matching = [p for p in outcome.problems if p.rule == rule]
    assert len(matching) == 1, format_report(outcome)
    return matching[0]


def column(outcome: ValidationOutcome, name: str) -> list:
    assert outcome.cases is not None, format_report(outcome)
    return outcome.cases.get_column(name).to_list()


FULL_ROW = {
    "deltagare_id": "SAMRE-0001",
    "insats": "SAMRE",
    "kommun": "Upplands Väsby",
    "stadsdel": "Centrum",
    "kon": "Kvinna",
    "alder": "34",
    "aldersgrupp": "25-34",
    "utrikes_fodd": "Ja",
    "utbildning": "Gymnasial",
    "startdatum": "2018-01-15",
    "slutdatum": "2019-02-28",
    "manader_bistand": "36",
    "diagnos": "Psykiatrisk",
    "lakarintyg": "J",
    "planering": "1",
    "sip": "2",
    "forsorjning_start": "Ekonomiskt bistånd",
    "aktivitet_start": "Nej",
    "steg_start": "1",
    "forsorjning_slut": "lon",
    "bistand_slut": "Inget",
    "aktivitet_slut": "ja",
    "steg_slut": "6",
    "avslutsorsak": "Arbete",
    "anonym": "",
}


def test_clean_file_is_accepted_with_exact_canonical_dtypes() -> None:
    outcome = validate_rows(FULL_ROW)
    assert outcome.ok, format_report(outcome)
    assert outcome.problems == []
    cases = outcome.cases
    assert cases is not None
    assert cases.columns == list(schema.CASE_COLUMNS)
    assert cases.schema == pl.Schema(schema.CASE_DTYPES)
    assert cases.row(0, named=True) == {
        "case_id": "SAMRE-0001",
        "project": "SAMRE",
        "municipality": "Upplands Väsby",
        "municipality_code": "0114",
        "district": "Centrum",
        "gender": "K",
        "age": 34,
        "age_group": "25-34",
        "born_abroad": True,
        "education": "gymnasial",
        "start_date": dt.date(2018, 1, 15),
        "end_date": dt.date(2019, 2, 28),
        "months_on_aid": 36,
        "diagnosis_group": "psykiatrisk",
        "sick_note": True,
        "joint_plan": True,
        "sip_meetings": 2,
        "income_start": "ekonomiskt_bistand",
        "active_start": False,
        "step_start": 1,
        "income_end": "lon",
        "aid_end": "inget",
        "active_end": True,
        "step_end": 6,
        "exit_reason": "arbete",
        "anonymous": False,
    }


# --- codes ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "code"),
    [("K", "K"), ("k", "K"), ("Kvinna", "K"), ("MAN", "M"), ("m", "M"), ("Annan", "X"), ("x", "X")],
)
def test_gender_spellings(written: str, code: str) -> None:
    assert column(validate_rows({"kon": written}), "gender") == [code]


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("Ja", True),
        ("ja", True),
        ("J", True),
        ("1", True),
        ("Nej", False),
        ("n", False),
        ("0", False),
    ],
)
def test_yes_no_spellings(written: str, value: bool) -> None:
    outcome = validate_rows({"utrikes_fodd": written, "anonym": written})
    assert column(outcome, "born_abroad") == [value]
    assert column(outcome, "anonymous") == [value]


def test_codes_are_trimmed_and_case_insensitive() -> None:
    outcome = validate_rows(
        {"diagnos": " Psykiatrisk ", "bistand_slut": "HELT", "avslutsorsak": "Annan_insats"},
        {"diagnos": "smärta", "forsorjning_slut": "A-kassa", "aldersgrupp": "65+"},
    )
    assert column(outcome, "diagnosis_group") == ["psykiatrisk", "smarta"]
    assert column(outcome, "aid_end") == ["helt", None]
    assert column(outcome, "exit_reason") == ["annan_insats", None]
    assert column(outcome, "income_end") == [None, "a_kassa"]


def test_empty_anonym_is_false_and_optional_fields_are_null() -> None:
    outcome = validate_rows({"anonym": ""}, {})
    assert column(outcome, "anonymous") == [False, False]
    assert column(outcome, "end_date") == [None, None]


def test_unknown_code_names_column_row_and_allowed_codes() -> None:
    outcome = validate_rows({}, {}, {}, {}, {}, {"kon": "Q"}, {"kon": "Q"}, {"kon": "Z"})
    problem = only_problem(outcome, "okand_kod")
    assert problem.column == "kon"
    assert problem.count == 3
    assert problem.rows == [7, 8, 9]
    assert problem.examples == ["Q", "Z"]
    assert "rad 7" in problem.message
    assert "'Q'" in problem.message
    assert "Tillåtna värden: K, M, X." in problem.message


def test_one_problem_per_rule_and_column() -> None:
    outcome = validate_rows({"diagnos": "ont"}, {"utbildning": "hög"}, {"diagnos": "trött"})
    codes = [p for p in outcome.problems if p.rule == "okand_kod"]
    assert sorted((p.column, p.count) for p in codes) == [("diagnos", 2), ("utbildning", 1)]


def test_rows_and_examples_are_capped() -> None:
    outcome = validate_rows(*[{"kon": f"Q{i}"} for i in range(15)])
    problem = only_problem(outcome, "okand_kod")
    assert problem.count == 15
    assert problem.rows == list(range(2, 12))
    assert problem.examples == ["Q0", "Q1", "Q2", "Q3", "Q4"]


# --- numbers and dates -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("alder", "15"),
        ("alder", "71"),
        ("manader_bistand", "601"),
        ("manader_bistand", "-1"),
        ("steg_start", "0"),
        ("steg_slut", "7"),
        ("sip", "-1"),
    ],
)
def test_integer_ranges(header: str, value: str) -> None:
    outcome = validate_rows({}, {header: value})
    problem = only_problem(outcome, "utanfor_intervall")
    assert (problem.column, problem.rows, problem.examples) == (header, [3], [value])


@pytest.mark.parametrize(("value", "number"), [("16", 16), ("70", 70), ("12,0", 12), ("0", 0)])
def test_integers_at_the_edges_and_with_decimal_comma(value: str, number: int) -> None:
    header = "alder" if number >= 16 else "manader_bistand"
    field = "age" if number >= 16 else "months_on_aid"
    assert column(validate_rows({header: value}), field) == [number]


@pytest.mark.parametrize(
    ("header", "value", "rule"),
    [
        ("alder", "tolv", "ej_heltal"),
        ("sip", "1,5", "ej_heltal"),
        ("startdatum", "2019-02-30", "ej_datum"),
        ("slutdatum", "1/3/2019", "ej_datum"),
        ("planering", "kanske", "ej_ja_nej"),
    ],
)
def test_unreadable_values(header: str, value: str, rule: str) -> None:
    problem = only_problem(validate_rows({}, {}, {header: value}), rule)
    assert (problem.column, problem.rows, problem.examples) == (header, [4], [value])


def test_unreadable_required_date_is_not_also_reported_as_missing() -> None:
    outcome = validate_rows({"startdatum": "snart"})
    assert [p.rule for p in outcome.problems] == ["ej_datum"]


def test_end_before_start() -> None:
    outcome = validate_rows({"slutdatum": "2019-03-01"}, {"slutdatum": "2019-02-28"})
    problem = only_problem(outcome, "slutdatum_fore_start")
    assert (problem.column, problem.rows) == ("slutdatum", [3])


def test_duplicate_participation_reports_every_copy() -> None:
    outcome = validate_rows(
        {"deltagare_id": "A"},
        {"deltagare_id": "B"},
        {"deltagare_id": "A", "startdatum": "2019-03-01 00:00:00"},
        {"deltagare_id": "A", "startdatum": "2019-04-01"},  # a new participation
        {"deltagare_id": "A", "insats": "Kaosam"},  # another project
    )
    problem = only_problem(outcome, "dubblett")
    assert problem.rows == [2, 4]
    assert problem.count == 2


def test_required_value_missing() -> None:
    outcome = validate_rows({}, {"kommun": ""})
    problem = only_problem(outcome, "saknat_varde")
    assert (problem.column, problem.rows) == ("kommun", [3])


def test_text_lengths() -> None:
    outcome = validate_rows({"deltagare_id": "x" * 41}, {"deltagare_id": "y" * 40})
    problem = only_problem(outcome, "for_lang")
    assert (problem.column, problem.rows) == ("deltagare_id", [2])
    outcome = validate_rows({"insats": "P" * 101})
    assert only_problem(outcome, "for_lang").column == "insats"


# --- age groups ------------------------------------------------------------------------------


def test_age_group_is_derived_from_age_with_a_warning() -> None:
    outcome = validate_rows({"alder": "16"}, {"alder": "24"}, {"alder": "25"}, {"alder": "70"}, {})
    assert column(outcome, "age_group") == ["16-24", "16-24", "25-34", "65+", None]
    assert any("Åldersgrupp" in w and "4 rader" in w for w in outcome.warnings)


def test_age_group_given_alone_is_kept_without_warning() -> None:
    outcome = validate_rows({"aldersgrupp": "45-54"})
    assert column(outcome, "age_group") == ["45-54"]
    assert not any("Åldersgrupp" in w for w in outcome.warnings)


def test_age_group_disagreeing_with_age() -> None:
    outcome = validate_rows(
        {"alder": "30", "aldersgrupp": "25-34"}, {"alder": "30", "aldersgrupp": "45-54"}
    )
    problem = only_problem(outcome, "aldersgrupp_stammer_inte")
    assert (problem.column, problem.rows) == ("aldersgrupp", [3])


# --- municipalities ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    ["Upplands Väsby", "upplands-väsby", "UPPLANDS VASBY", "upplandsväsby", "0114", "114"],
)
def test_municipality_forgiving_forms(written: str) -> None:
    outcome = validate_rows({"kommun": written})
    assert column(outcome, "municipality") == ["Upplands Väsby"]
    assert column(outcome, "municipality_code") == ["0114"]


def _resolved(text: str) -> Municipality:
    found = resolve(text).municipality
    assert found is not None, f"{text} is not recognised"
    return found


def test_diacritics_do_not_merge_different_municipalities() -> None:
    assert _resolved("Håbo").code == "0305"
    assert _resolved("Habo").code == "0643"
    assert _resolved("malung salen").name == "Malung-Sälen"


def test_misspelled_municipality_is_refused_with_a_suggestion() -> None:
    outcome = validate_rows({}, {"kommun": "Solentuna"})
    problem = only_problem(outcome, "okand_kommun")
    assert (problem.column, problem.rows, problem.examples) == ("kommun", [3], ["Solentuna"])
    assert "menade du Sollentuna?" in problem.message
    assert not any(p.rule == "saknat_varde" for p in outcome.problems)


@pytest.mark.parametrize("written", ["Atlantis", "9999", "12"])
def test_unknown_municipality(written: str) -> None:
    assert only_problem(validate_rows({"kommun": written}), "okand_kommun").examples == [written]


def test_every_problem_message_is_swedish_and_says_what_to_do() -> None:
    outcome = validate_rows(
        {"kon": "Q", "alder": "99", "startdatum": "igår", "kommun": "Solentuna"},
        {"planering": "kanske", "slutdatum": "2018-01-01"},
    )
    rules = {p.rule for p in outcome.problems}
    assert rules == {
        "okand_kod",
        "utanfor_intervall",
        "ej_datum",
        "okand_kommun",
        "ej_ja_nej",
        "slutdatum_fore_start",
    }
    for problem in outcome.problems:
        assert problem.message.startswith(f"Kolumn {problem.column}: ")
        assert f"rad {problem.rows[0]}" in problem.message


def test_many_rows_give_the_same_answers_as_few() -> None:
    """Large files parse each distinct value once; the results must not change."""
    changes = [
        {"alder": str(20 + i % 40), "startdatum": f"2019-03-{1 + i % 28:02d}", "planering": "Ja"}
        for i in range(400)
    ]
    changes[10]["deltagare_id"] = "  ID-10  "
    changes[20] |= {"alder": "12,0", "slutdatum": "2019-02-30", "planering": " "}
    changes[30] |= {"kon": "kvinna", "sip": "tre"}
    outcome = validate_rows(*changes)
    assert sorted((p.rule, p.column, tuple(p.rows)) for p in outcome.problems) == [
        ("ej_datum", "slutdatum", (22,)),
        ("ej_heltal", "sip", (32,)),
        ("utanfor_intervall", "alder", (22,)),
    ]
    good = validate_rows(*changes[:20], changes[30] | {"sip": "3"}, *changes[40:])
    assert good.ok, format_report(good)
    cases = good.cases
    assert cases is not None and cases.height == 381
    assert cases.get_column("case_id")[10] == "ID-10"
    assert cases.get_column("age").to_list()[:3] == [20, 21, 22]
    assert cases.get_column("gender")[20] == "K"
    assert cases.get_column("start_date")[7] == dt.date(2019, 3, 8)
    assert cases.get_column("start_date")[21] == dt.date(2019, 3, 13)  # file row 40
    assert cases.get_column("joint_plan").all()


# --- dates within the report month ---------------------------------------------------------

_AFTER_MONTH_ROWS = [
    "deltagare_id;insats;kommun;kon;startdatum;slutdatum{extra_header}",
    "D1;SAMRE;Sollentuna;K;2019-03-01;2019-03-31{extra}",  # the last day is in the month
    "D2;SAMRE;Sollentuna;K;2019-04-01;{extra}",
    "D3;SAMRE;Sollentuna;K;2019-02-01;2019-04-02{extra}",
]


def _after_month_export(column_month: str | None = None) -> bytes:
    extra_header, extra = (";rapportmanad", f";{column_month}") if column_month else ("", "")
    lines = [line.format(extra_header=extra_header, extra=extra) for line in _AFTER_MONTH_ROWS]
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.parametrize(
    ("file_name", "month", "column_month"),
    [
        ("mars.csv", "2019-03", None),  # given explicitly (--month)
        ("mars.csv", None, "2019-03"),  # the rapportmanad column
        ("export_2019-03.csv", None, None),  # the file name
        ("export_2019-05.csv", "2019-03", "2019-05"),  # the explicit month wins, as on import
    ],
)
def test_dates_after_the_report_month_are_refused_with_row_column_and_month(
    file_name: str, month: str | None, column_month: str | None
) -> None:
    outcome = read_and_validate(_after_month_export(column_month), file_name, month=month)
    problems = [p for p in outcome.problems if p.rule == "datum_efter_rapportmanad"]
    assert [(p.column, p.rows, p.examples) for p in problems] == [
        ("startdatum", [3], ["2019-04-01"]),
        ("slutdatum", [4], ["2019-04-02"]),
    ]
    assert all("rapportmånaden 2019-03" in p.message for p in problems)
    assert outcome.cases is None and outcome.checked_month == "2019-03"


def test_dates_up_to_the_last_day_of_the_report_month_are_accepted() -> None:
    assert read_and_validate(_after_month_export(), "export_2019-04.csv").ok
    leap = b"deltagare_id;insats;kommun;kon;startdatum\nD1;SAMRE;Sigtuna;K;2020-02-29\n"
    assert read_and_validate(leap, "export_2020-02.csv").ok
    later = leap.replace(b"2020-02-29", b"2020-03-01")
    assert [p.rule for p in read_and_validate(later, "x_2020-02.csv").problems] == [
        "datum_efter_rapportmanad"
    ]


def test_without_a_known_month_dates_are_not_judged_here() -> None:
    outcome = read_and_validate(_after_month_export(), "mars.csv")
    assert outcome.ok and outcome.checked_month is None
