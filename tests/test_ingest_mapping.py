"""A project's own sheet read through a mapping: options, derived fields, guard, messages."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
import xlsxwriter

from ingest.mapping import Mapping, MappingError, mapping_to_toml, parse_mapping
from ingest.pipeline import read_and_validate

HEADERS = [
    "Deltagarnr",
    "Kommun",
    "Kön",
    "Födelseår",
    "Startdatum",
    "Avslutsdatum",
    "Försörjning vid start",
    "Försörjning vid avslut",
    "Orsak till avslut",
    "Aktiv vid start",
    "Aktiv vid avslut",
    "Kommentar",
]

MAPPING_TOML = """
[mapping]
project = "Vägval"
header_row = 3
stop_at_blank_row = true

[columns]
"Deltagarnr" = "deltagare_id"
"Kommun" = "kommun"
"Kön" = "kon"
"Födelseår" = "fodelsear"
"Startdatum" = "startdatum"
"Avslutsdatum" = "slutdatum"
"Försörjning vid start" = "forsorjning_start"
"Försörjning vid avslut" = "forsorjning_slut"
"Orsak till avslut" = "avslutsorsak"
"Aktiv vid start" = "aktivitet_start"
"Aktiv vid avslut" = "aktivitet_slut"
"Kommentar" = ""

[constants]
insats = "Vägval"

[values.forsorjning_start]
"Försörjningsstöd" = "ekonomiskt_bistand"
"FB" = "ekonomiskt_bistand"

[values.forsorjning_slut]
"Försörjningsstöd" = "ekonomiskt_bistand"
"Anställning" = "lon"
"CSN" = "studiemedel"

[values.avslutsorsak]
"Fått jobb" = "arbete"
"Studier" = "studier"

[values.aktivitet_start]
"x" = "Ja"
"" = "Nej"

[values.aktivitet_slut]
"x" = "Ja"
"" = "Nej"
"""

ROWS = [
    ["V-1", "Sollentuna", "Kvinna", 1985, "2019-03-01", "2019-09-30", "Försörjningsstöd",
     "Anställning", "Fått jobb", "x", "x", "bra"],
    ["V-2", "Sigtuna", "Man", 1990, "2019-04-15", None, "FB", None, None, None, None, None],
    ["V-3", "Upplands Väsby", "Kvinna", 1970, "2019-05-02", "2019-12-01", "Försörjningsstöd",
     "CSN", "Studier", None, "x", None],
]  # fmt: skip


def _mapping(**changes: object) -> Mapping:
    mapping = parse_mapping(MAPPING_TOML)
    for key, value in changes.items():
        setattr(mapping, key, value)
    return mapping


def _xlsx(rows: list[list[object]], *, totals: bool = True, sheet: str = "Deltagare") -> bytes:
    """The project's workbook: a title row, a blank row, headers on row 3, real Excel
    dates, and a totals row after a blank row."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    book.add_worksheet("Instruktioner").write(0, 0, "Fyll i bladet Deltagare")
    ws = book.add_worksheet(sheet)
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    ws.write(0, 0, "Deltagare i Vägval 2019")
    ws.write_row(2, 0, HEADERS)
    for r, row in enumerate(rows, start=3):
        for c, value in enumerate(row):
            if value is None:
                continue
            if HEADERS[c] in ("Startdatum", "Avslutsdatum") and isinstance(value, str):
                ws.write_datetime(r, c, datetime.fromisoformat(value), day)
            else:
                ws.write(r, c, value)
    if totals:
        ws.write_row(3 + len(rows) + 1, 0, ["Summa", len(rows)])
    book.close()
    return buffer.getvalue()


def _csv(rows: list[list[object]], headers: list[str] = HEADERS) -> bytes:
    lines = ["Deltagare i Vägval 2019" + ";" * (len(headers) - 1), "", ";".join(headers)]
    lines += [";".join("" if v is None else str(v) for v in row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def test_project_workbook_reads_through_its_mapping() -> None:
    outcome = read_and_validate(_xlsx(ROWS), "vagval.xlsx", mapping=_mapping())
    assert outcome.ok and outcome.cases is not None, [p.message for p in outcome.problems]
    cases = outcome.cases.sort("case_id")
    assert cases["project"].to_list() == ["Vägval"] * 3
    assert cases["gender"].to_list() == ["K", "M", "K"]
    assert cases["age"].to_list() == [2019 - 1985, 2019 - 1990, 2019 - 1970]
    assert cases["age_group"].to_list() == ["25-34", "25-34", "45-54"]
    assert cases["start_date"].to_list() == [date(2019, 3, 1), date(2019, 4, 15), date(2019, 5, 2)]
    assert cases["end_date"].to_list() == [date(2019, 9, 30), None, date(2019, 12, 1)]
    assert cases["income_start"].to_list() == ["ekonomiskt_bistand"] * 3
    assert cases["income_end"].to_list() == ["lon", None, "studiemedel"]
    assert cases["exit_reason"].to_list() == ["arbete", None, "studier"]
    assert cases["active_start"].to_list() == [True, False, False]
    assert cases["active_end"].to_list() == [True, False, True]
    # The totals row after the blank row is not read, and the warning says how much was not.
    assert any("rad 7" in w and "1 rad efter den har ignorerats" in w for w in outcome.warnings)


def test_without_stop_at_blank_row_the_totals_row_is_read_and_refused() -> None:
    outcome = read_and_validate(
        _xlsx(ROWS), "vagval.xlsx", mapping=_mapping(stop_at_blank_row=False)
    )
    assert not outcome.ok
    # Problems name the file's own column and the row as Excel numbers it.
    missing = [p for p in outcome.problems if p.rule == "saknat_varde"]
    assert {p.column for p in missing} == {"Kön", "Startdatum"}
    assert all(p.rows == [8] for p in missing)


def test_blank_rows_before_the_totals_count_as_ignored() -> None:
    body = _csv([*ROWS, [None] * len(HEADERS), ["Summa", 3], ["Medel", 1]])
    outcome = read_and_validate(body, "vagval.csv", mapping=_mapping())
    assert outcome.ok and outcome.cases is not None, [p.message for p in outcome.problems]
    assert outcome.cases.height == 3
    assert any("2 rader efter den har ignorerats" in w for w in outcome.warnings)


def test_named_sheet_is_read_and_a_missing_sheet_is_refused() -> None:
    data = _xlsx(ROWS, sheet="Vägval 2019")
    outcome = read_and_validate(data, "v.xlsx", mapping=_mapping(sheet="Vägval 2019"))
    assert outcome.ok, [p.message for p in outcome.problems]
    refused = read_and_validate(data, "v.xlsx", mapping=_mapping(sheet="Blad9"))
    assert not refused.ok
    assert refused.problems[0].rule == "blad_saknas"
    assert "Blad9" in refused.problems[0].message


def test_excel_serial_compact_and_stated_date_formats() -> None:
    rows = [list(r) for r in ROWS]
    rows[0][4], rows[0][5] = "43525", "20190930"  # serial of 2019-03-01; ÅÅÅÅMMDD
    rows[1][4] = "15/04/2019"
    refused = read_and_validate(_csv(rows), "v.csv", mapping=_mapping())
    assert [p.rule for p in refused.problems] == ["ej_datum"]
    assert refused.problems[0].column == "Startdatum"
    assert refused.problems[0].rows == [5]

    outcome = read_and_validate(_csv(rows), "v.csv", mapping=_mapping(date_format="%d/%m/%Y"))
    assert outcome.ok and outcome.cases is not None, [p.message for p in outcome.problems]
    cases = outcome.cases.sort("case_id")
    assert cases["start_date"].to_list()[:2] == [date(2019, 3, 1), date(2019, 4, 15)]
    assert cases["end_date"].to_list()[0] == date(2019, 9, 30)


@pytest.mark.parametrize(
    ("yes", "no"), [("Ja", "Nej"), ("J", "N"), ("1", "0"), ("Sant", "Falskt"), ("x", None)]
)
def test_yes_no_variants(yes: str, no: str | None) -> None:
    rows = [list(r) for r in ROWS]
    rows[0][9], rows[1][9], rows[2][9] = yes, no, yes
    outcome = read_and_validate(_csv(rows), "v.csv", mapping=_mapping())
    assert outcome.ok and outcome.cases is not None, [p.message for p in outcome.problems]
    assert outcome.cases.sort("case_id")["active_start"].to_list() == [True, False, True]


def test_unseen_value_refuses_the_file_listing_the_new_values() -> None:
    rows = [list(r) for r in ROWS]
    rows[1][6] = "Pension"
    rows[2][6] = "Ersättning"
    outcome = read_and_validate(_csv(rows), "v.csv", mapping=_mapping())
    assert not outcome.ok
    (problem,) = outcome.problems
    assert problem.rule == "nytt_varde"
    assert problem.column == "Försörjning vid start"
    assert problem.rows == [5, 6]
    assert "'Ersättning', 'Pension'" in problem.message
    assert "[values.forsorjning_start]" in problem.message
    # A value today's format already reads (a code or its label) is not new.
    rows[1][6], rows[2][6] = "Sjukpenning", "a_kassa"
    assert read_and_validate(_csv(rows), "v.csv", mapping=_mapping()).ok


def test_guard_reads_an_ignored_column_and_masks_the_number() -> None:
    rows = [list(r) for r in ROWS]
    rows[1][11] = "ring 19121212-1212"
    outcome = read_and_validate(_csv(rows), "v.csv", mapping=_mapping())
    assert not outcome.ok and outcome.cases is None
    (problem,) = outcome.problems
    assert problem.rule == "personnummer"
    assert problem.column == "Kommentar"
    assert problem.rows == [5]
    assert problem.examples == ["ring 19121212-****"]
    assert "19121212-1212" not in str(outcome.preview.to_dicts())


def test_guard_reads_unlisted_columns_rows_after_a_blank_row_and_title_rows() -> None:
    headers = [*HEADERS, "Anteckning"]
    rows = [[*r, None] for r in ROWS]
    rows[0][-1] = "anna@exempel.se"
    outcome = read_and_validate(_csv(rows, headers), "v.csv", mapping=_mapping())
    assert [(p.rule, p.column) for p in outcome.problems] == [("epost", "Anteckning")]

    after_blank = _csv([*ROWS, [None] * len(HEADERS), ["19121212-1212", 3]])
    outcome = read_and_validate(after_blank, "v.csv", mapping=_mapping())
    assert [p.rule for p in outcome.problems] == ["personnummer"]
    assert outcome.problems[0].rows == [8]

    titled = _csv(ROWS).replace(b"Deltagare i V\xc3\xa4gval 2019", b"Kontakt 070-1234567")
    outcome = read_and_validate(titled, "v.csv", mapping=_mapping())
    assert [p.rule for p in outcome.problems] == ["telefon"]


def test_full_birth_date_is_refused_as_personal_data() -> None:
    rows = [list(r) for r in ROWS]
    rows[1][3] = "19900415"
    rows[2][3] = "1970-05-02"
    rows[0][3] = "31048"  # an Excel date number: 1985-01-01
    outcome = read_and_validate(_csv(rows), "v.csv", mapping=_mapping())
    assert not outcome.ok
    (problem,) = outcome.problems
    assert problem.rule == "fodelsedatum"
    assert problem.column == "Födelseår"
    assert problem.rows == [4, 5, 6]
    assert problem.examples == ["1970-**-**", "1990-**-**", "*****"]
    shown = " ".join([problem.message, *problem.examples])
    assert "0415" not in shown and "05-02" not in shown and "31048" not in shown


def test_a_birth_date_column_is_refused_without_any_mapping() -> None:
    data = "deltagare_id;insats;kommun;kon;startdatum;Födelsedatum\nA;B;Sigtuna;K;2019-01-01;x\n"
    outcome = read_and_validate(data.encode(), "v.csv")
    assert "personuppgiftskolumn" in {p.rule for p in outcome.problems}


def test_messages_name_the_files_column_and_excel_row() -> None:
    rows = [list(r) for r in ROWS]
    rows[2][1] = "Solentuna"
    rows[0][3] = "1940"  # 79 at start: beyond the age range
    outcome = read_and_validate(_csv(rows), "v.csv", mapping=_mapping())
    by_rule = {p.rule: p for p in outcome.problems}
    assert by_rule["okand_kommun"].column == "Kommun"
    assert by_rule["okand_kommun"].rows == [6]
    assert by_rule["utanfor_intervall"].column == "Födelseår (ålder vid start)"
    assert by_rule["utanfor_intervall"].rows == [4]


def test_constant_and_missing_required_column() -> None:
    mapping = _mapping(constants={})
    outcome = read_and_validate(_csv(ROWS), "v.csv", mapping=mapping)
    assert [p.rule for p in outcome.problems] == ["saknad_kolumn"]
    assert "insats" in outcome.problems[0].message


def test_header_row_beyond_the_file_is_a_problem() -> None:
    outcome = read_and_validate(_csv(ROWS), "v.csv", mapping=_mapping(header_row=40))
    assert [p.rule for p in outcome.problems] == ["rubrikrad_saknas"]


def test_toml_round_trip_and_refusals() -> None:
    mapping = _mapping(sheet="Deltagare", date_format="%d/%m/%Y")
    text = mapping_to_toml(mapping)
    assert parse_mapping(text) == mapping
    assert '"" = "Nej"' in text

    with pytest.raises(MappingError) as caught:
        parse_mapping(
            """
[mapping]
project = "Vägval"
date_format = "dd/mm"
[columns]
"A" = "personnr"
"B" = "kon"
"C" = "kon"
[values.forsorjning_start]
"FB" = "bistand"
[values.aktivitet_start]
"x" = "Yes"
"""
        )
    text = "\n".join(caught.value.messages)
    assert "date_format 'dd/mm'" in text
    assert "'A' = 'personnr': okänd rubrik" in text
    assert "både 'B' och 'C'" in text
    assert "'FB' = 'bistand': okänd kod" in text
    assert "'x' = 'Yes'" in text
    with pytest.raises(MappingError, match="project"):
        parse_mapping('[columns]\n"A" = "kon"\n')
    with pytest.raises(MappingError, match="TOML"):
        parse_mapping("[mapping\n")
