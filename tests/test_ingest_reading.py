"""Reading exports: separators, encodings, Excel, headers, refusals, report month, report."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import polars as pl
import pytest
import xlsxwriter

from ingest import format_report, read_and_validate, resolve_report_month, schema

HEADERS = ["deltagare_id", "insats", "kommun", "stadsdel", "kon", "alder", "startdatum"]
ROWS = [
    ["D1", "SAMRE", "Upplands Väsby", "Östra Väsby", "K", "34", "2019-03-01"],
    ["D2", "SAMRE", "Sollentuna", "Häggvik", "M", "45", "2019-03-02"],
    ["D3", "SAMRE", "Håbo", "Bålsta", "X", "58", "2019-03-03"],
]


def csv_text(rows: list[list[str]], headers: list[str] = HEADERS, sep: str = ";") -> str:
    def cell(value: str) -> str:
        return f'"{value}"' if sep in value else value

    lines = [sep.join(cell(h) for h in headers)]
    lines += [sep.join(cell(v) for v in row) for row in rows]
    return "\r\n".join(lines) + "\r\n"


def rows_of(outcome, *columns: str) -> list[tuple]:
    assert outcome.cases is not None, format_report(outcome)
    return outcome.cases.select(columns).rows()


# --- CSV -----------------------------------------------------------------------------------


@pytest.mark.parametrize("sep", [";", ",", "\t"])
def test_each_separator_is_detected(sep: str) -> None:
    outcome = read_and_validate(csv_text(ROWS, sep=sep).encode(), "mars.csv")
    assert outcome.ok, format_report(outcome)
    assert rows_of(outcome, "case_id", "municipality", "age") == [
        ("D1", "Upplands Väsby", 34),
        ("D2", "Sollentuna", 45),
        ("D3", "Håbo", 58),
    ]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_encodings_keep_swedish_letters(encoding: str) -> None:
    outcome = read_and_validate(csv_text(ROWS).encode(encoding), "mars.csv")
    assert rows_of(outcome, "district") == [("Östra Väsby",), ("Häggvik",), ("Bålsta",)]
    assert outcome.preview.columns[0] == "deltagare_id"  # no BOM left in the header


def test_cp1252_headers_with_diacritics_are_matched() -> None:
    headers = ["Deltagare_ID", "Insats", "Kommun", "Stadsdel", "Kön", "Ålder", "Startdatum"]
    outcome = read_and_validate(csv_text(ROWS, headers).encode("cp1252"), "mars.csv")
    assert rows_of(outcome, "gender", "age") == [("K", 34), ("M", 45), ("X", 58)]
    assert outcome.preview.columns[4] == "Kön"


@pytest.mark.parametrize("sep", [";", ","])
def test_decimal_comma_integers(sep: str) -> None:
    rows = [r.copy() for r in ROWS]
    rows[0][5] = "34,0"
    rows[1][5] = "45,00"
    outcome = read_and_validate(csv_text(rows, sep=sep).encode(), "mars.csv")
    assert rows_of(outcome, "age") == [(34,), (45,), (58,)]


def test_both_date_forms_are_dates() -> None:
    rows = [r.copy() for r in ROWS]
    rows[1][6] = "2019-03-02 00:00:00"
    outcome = read_and_validate(csv_text(rows).encode(), "mars.csv")
    assert rows_of(outcome, "start_date")[1] == (dt.date(2019, 3, 2),)


def test_blank_rows_are_skipped_and_row_numbers_stay_as_in_excel() -> None:
    rows = [ROWS[0], [""] * 7, ["  "] * 7, [r if i != 4 else "Q" for i, r in enumerate(ROWS[1])]]
    outcome = read_and_validate(csv_text(rows).encode(), "mars.csv")
    assert outcome.rows_read == 2
    problem = next(p for p in outcome.problems if p.rule == "okand_kod")
    assert problem.rows == [5]  # header 1, D1 2, two blank rows 3-4


def test_empty_lines_count_as_rows() -> None:
    text = csv_text([ROWS[0]]) + "\r\n" + csv_text([ROWS[1]]).split("\r\n", 1)[1]
    text = text.replace(";45;", ";450;")
    outcome = read_and_validate(text.encode(), "mars.csv")
    problem = next(p for p in outcome.problems if p.rule == "utanfor_intervall")
    assert problem.rows == [4]


def test_cells_of_only_spaces_are_empty() -> None:
    rows = [r.copy() for r in ROWS]
    rows[0][3] = "   "
    rows[1][1] = "  SAMRE  "
    outcome = read_and_validate(csv_text(rows).encode(), "mars.csv")
    assert rows_of(outcome, "district", "project")[:2] == [(None, "SAMRE"), ("Häggvik", "SAMRE")]


def test_ragged_csv_is_refused_not_crashed() -> None:
    text = csv_text(ROWS) + "D4;SAMRE;Sollentuna;;K;30;2019-03-01;extra;fält\r\n"
    outcome = read_and_validate(text.encode(), "mars.csv")
    assert [p.rule for p in outcome.problems] == ["felaktig_csv"]


# --- one encoding per file, and text garbled by a wrong one --------------------------------


def _many_rows(count: int) -> list[list[str]]:
    return [
        [f"D{i}", "SAMRE", "Sollentuna", "Häggvik", "K", "34", "2019-03-01"] for i in range(count)
    ]


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_a_utf8_file_with_one_windows_1252_byte_is_refused_naming_the_row(bom: bytes) -> None:
    rows = _many_rows(300)
    rows[250][3] = "Väsby"  # data row 251 is line 252 under the header
    text = csv_text(rows)
    stray = "Väsby".encode("cp1252")
    data = bom + text.encode("utf-8").replace("Väsby".encode(), stray)
    assert data.count(stray) == 1 and "Häggvik".encode() in data
    outcome = read_and_validate(data, "mars.csv")
    assert [p.rule for p in outcome.problems] == ["blandad_teckenkodning"]
    assert outcome.problems[0].rows == [252]
    assert "rad 252" in outcome.problems[0].message
    assert outcome.cases is None


def test_a_file_neither_utf8_nor_windows_1252_is_refused_naming_the_row() -> None:
    data = csv_text(ROWS).encode("cp1252") + b"D4;SAMRE;Sollentuna;\x81;K;30;2019-03-01\r\n"
    outcome = read_and_validate(data, "mars.csv")
    assert [p.rule for p in outcome.problems] == ["okand_teckenkodning"]
    assert "rad 5" in outcome.problems[0].message


def test_a_long_windows_1252_file_is_still_read_whole() -> None:
    rows = _many_rows(300)
    rows[299][3] = "Östra Väsby"
    outcome = read_and_validate(csv_text(rows).encode("cp1252"), "mars.csv")
    assert rows_of(outcome, "district")[-2:] == [("Häggvik",), ("Östra Väsby",)]


@pytest.mark.parametrize(
    ("garbled", "meant"),
    [
        ("VÃ¤gval", "Vägval"),
        ("HÃ¶gby", "Högby"),
        ("BÃ¥lsta", "Bålsta"),
        ("Ã„lvsjÃ¶", "Älvsjö"),
        ("Ã–stra VÃ¤sby", "Östra Väsby"),
        ("Ã…kersberga", "Åkersberga"),
        ("CafÃ©", "Café"),
    ],
)
def test_mojibake_is_refused_with_row_column_and_the_likely_text(garbled: str, meant: str) -> None:
    rows = [r.copy() for r in ROWS]
    rows[1][3] = garbled
    # Garbled once (UTF-8 read as Windows-1252) and then saved as UTF-8.
    outcome = read_and_validate(csv_text(rows).encode("utf-8"), "mars.csv")
    assert [p.rule for p in outcome.problems] == ["fel_teckenkodning"]
    problem = outcome.problems[0]
    assert problem.column == "stadsdel" and problem.rows == [3]
    assert f"'{meant}'" in problem.message and "teckenkodning" in problem.message


def test_mojibake_in_an_excel_cell_is_refused(tmp_path: Path) -> None:
    rows = excel_rows()
    rows[1][1] = "VÃ¤gval"
    path = write_xlsx(tmp_path / "export.xlsx", {"Deltagare": rows})
    outcome = read_and_validate(path)
    assert [(p.rule, p.column, p.rows) for p in outcome.problems] == [
        ("fel_teckenkodning", "insats", [2])
    ]


@pytest.mark.parametrize("text", ["São Paulo", "Ängby", "Åsa–Öja", "Ã", "Â "])
def test_real_text_is_not_taken_for_mojibake(text: str) -> None:
    rows = [r.copy() for r in ROWS]
    rows[1][3] = text
    assert read_and_validate(csv_text(rows).encode(), "mars.csv").ok


# --- XLSX ----------------------------------------------------------------------------------


def write_xlsx(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    with xlsxwriter.Workbook(path) as book:
        date_format = book.add_format({"num_format": "yyyy-mm-dd"})
        for name, rows in sheets.items():
            sheet = book.add_worksheet(name)
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    if isinstance(value, dt.date):
                        sheet.write_datetime(r, c, value, date_format)
                    elif value is not None:
                        sheet.write(r, c, value)
    return path


def excel_rows() -> list[list[object]]:
    return [
        [*HEADERS],
        ["D1", "SAMRE", "Upplands Väsby", "Östra Väsby", "K", 34, dt.date(2019, 3, 1)],
        ["D2", "SAMRE", 163, None, "M", 45.0, dt.date(2019, 3, 2)],
        [None] * 7,
        ["D3", "SAMRE", "Håbo", "Bålsta", "X", 58, "2019-03-03"],
    ]


def test_xlsx_deltagare_sheet_is_used_even_when_not_first(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "export.xlsx",
        {"Instruktioner": [["Läs mig"], ["x"]], "Deltagare": excel_rows()},
    )
    outcome = read_and_validate(path)
    assert outcome.ok, format_report(outcome)
    assert outcome.file_name == "export.xlsx"
    assert rows_of(
        outcome, "case_id", "municipality", "municipality_code", "age", "start_date"
    ) == [
        ("D1", "Upplands Väsby", "0114", 34, dt.date(2019, 3, 1)),
        ("D2", "Sollentuna", "0163", 45, dt.date(2019, 3, 2)),  # code lost its leading zero
        ("D3", "Håbo", "0305", 58, dt.date(2019, 3, 3)),
    ]
    assert outcome.preview.item(0, "startdatum") == "2019-03-01"  # real date -> ISO text


def test_xlsx_without_deltagare_sheet_uses_the_first(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "export.xlsx", {"Blad1": excel_rows(), "Blad2": [["x"]]})
    assert read_and_validate(path).ok


def test_xlsx_row_numbers_are_excel_rows(tmp_path: Path) -> None:
    rows = excel_rows()
    rows[4][4] = "Q"
    outcome = read_and_validate(write_xlsx(tmp_path / "export.xlsx", {"Deltagare": rows}))
    assert next(p for p in outcome.problems if p.rule == "okand_kod").rows == [5]


def test_xlsx_starting_below_row_one_keeps_excel_row_numbers(tmp_path: Path) -> None:
    rows: list[list[object]] = [[None] * 7, [None] * 7, *excel_rows()]
    rows[4][4] = "Q"
    path = tmp_path / "export.xlsx"
    with xlsxwriter.Workbook(path) as book:
        sheet = book.add_worksheet("Deltagare")
        sheet.set_row(0, None, book.add_format({"bold": True}))  # formatted, still empty
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is not None:
                    sheet.write(r, c + 1, str(value) if isinstance(value, dt.date) else value)
    outcome = read_and_validate(path)
    assert next(p for p in outcome.problems if p.rule == "okand_kod").rows == [5]


def test_xlsm_is_refused_by_name_and_by_content(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "export.xlsx", {"Deltagare": excel_rows()})
    outcome = read_and_validate(path.read_bytes(), "export.xlsm")
    assert [p.rule for p in outcome.problems] == ["makrofil"]
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("xl/vbaProject.bin", b"\x00macro")
    outcome = read_and_validate(path)
    assert [p.rule for p in outcome.problems] == ["makrofil"]
    assert ".xlsx" in outcome.problems[0].message


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (bytes(range(256)) * 20, "export.csv"),
        (b"\x00\x01\x02garbage\xff\xfe" * 100, "export.xlsx"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "rapport.pdf"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 200, "gammal.xls"),
        (b"PK\x03\x04 not really a zip", "export.xlsx"),
    ],
)
def test_garbage_is_refused_with_a_clear_problem(data: bytes, name: str) -> None:
    outcome = read_and_validate(data, name)
    assert not outcome.ok
    assert len(outcome.problems) == 1
    assert outcome.problems[0].rule in {"okant_format", "felaktig_xlsx"}
    assert "inget har sparats" in outcome.problems[0].message


@pytest.mark.parametrize("data", [b"", b"   \r\n", b"\xef\xbb\xbf"])
def test_empty_file_is_refused(data: bytes) -> None:
    outcome = read_and_validate(data, "tom.csv")
    assert [p.rule for p in outcome.problems] == ["tom_fil"]


def test_file_with_only_a_header_is_refused(tmp_path: Path) -> None:
    outcome = read_and_validate(csv_text([]).encode(), "mars.csv")
    assert [p.rule for p in outcome.problems] == ["inga_rader"]
    empty_sheet = write_xlsx(tmp_path / "e.xlsx", {"Deltagare": [[*HEADERS]]})
    assert [p.rule for p in read_and_validate(empty_sheet).problems] == ["inga_rader"]


def test_missing_file_is_a_problem(tmp_path: Path) -> None:
    outcome = read_and_validate(str(tmp_path / "finns-inte.csv"))
    assert not outcome.ok and outcome.file_name == "finns-inte.csv"


# --- headers -------------------------------------------------------------------------------


def test_headers_match_case_space_diacritic_insensitively_and_by_alias() -> None:
    headers = [" Deltagar-ID ", "PROJEKT", "kommun", "Stadsdel", "KÖN", "ålder", "Start"]
    outcome = read_and_validate(csv_text(ROWS, headers).encode(), "mars.csv")
    assert outcome.ok, format_report(outcome)
    assert not [w for w in outcome.warnings if "känns inte igen" in w]


def test_unknown_columns_are_ignored_with_a_warning() -> None:
    rows = [[*r, "blå"] for r in ROWS]
    outcome = read_and_validate(csv_text(rows, [*HEADERS, "Färg"]).encode(), "mars.csv")
    assert outcome.ok
    assert "Kolumnen 'Färg' känns inte igen och har ignorerats." in outcome.warnings
    assert outcome.cases is not None and "Färg" not in outcome.cases.columns


def test_a_header_twice_is_a_problem() -> None:
    rows = [[*r, r[4]] for r in ROWS]
    outcome = read_and_validate(csv_text(rows, [*HEADERS, "Kön"]).encode(), "mars.csv")
    problem = next(p for p in outcome.problems if p.rule == "dubbel_kolumn")
    assert problem.column == "Kön"
    assert "'kon'" in problem.message and "'Kön'" in problem.message


def test_missing_required_columns_are_named() -> None:
    headers = [h for h in HEADERS if h not in ("kon", "startdatum")]
    rows = [[v for h, v in zip(HEADERS, r, strict=True) if h in headers] for r in ROWS]
    outcome = read_and_validate(csv_text(rows, headers).encode(), "mars.csv")
    missing = [p for p in outcome.problems if p.rule == "saknad_kolumn"]
    assert [p.column for p in missing] == ["kon", "startdatum"]
    assert "Kön" in missing[0].message
    assert not any(p.rule == "saknat_varde" for p in outcome.problems)


# --- preview, progress, outcome ------------------------------------------------------------


def test_preview_is_first_twenty_rows_as_read() -> None:
    rows = [[f"D{i}", "SAMRE", "sollentuna", "", "k", "34,0", "2019-03-01"] for i in range(30)]
    outcome = read_and_validate(csv_text(rows).encode(), "mars.csv")
    assert outcome.rows_read == 30
    assert outcome.preview.shape == (20, 7)
    assert outcome.preview.columns == HEADERS
    assert outcome.preview.row(0) == ("D0", "SAMRE", "sollentuna", None, "k", "34,0", "2019-03-01")
    assert set(outcome.preview.dtypes) == {pl.String}


def test_progress_is_reported_in_steps() -> None:
    steps: list[tuple[float, str]] = []
    read_and_validate(
        csv_text(ROWS).encode(), "mars.csv", progress=lambda f, s: steps.append((f, s))
    )
    fractions = [f for f, _ in steps]
    assert 3 <= len(steps) <= 6
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert all(isinstance(s, str) and s for _, s in steps)


def test_path_and_str_sources_take_the_file_name(tmp_path: Path) -> None:
    path = tmp_path / "export_2019-03.csv"
    path.write_bytes(csv_text(ROWS).encode("cp1252"))
    assert read_and_validate(path).file_name == "export_2019-03.csv"
    assert read_and_validate(str(path), "annat.csv").file_name == "annat.csv"


def test_clean_file_gives_the_canonical_frame() -> None:
    outcome = read_and_validate(csv_text(ROWS).encode(), "mars.csv")
    assert outcome.cases is not None
    assert outcome.cases.schema == pl.Schema(schema.CASE_DTYPES)


# --- report month --------------------------------------------------------------------------


def month_outcome(values: list[str]):
    rows = [[*r, v] for r, v in zip(ROWS, values, strict=False)]
    return read_and_validate(csv_text(rows, [*HEADERS, "Rapportmånad"]).encode(), "x.csv")


def test_explicit_month_wins_and_is_validated() -> None:
    outcome = month_outcome(["2019-04"] * 3)
    assert resolve_report_month("2019-03", outcome, "export_2019-05.csv") == ("2019-03", None)
    month, error = resolve_report_month("2019-13", outcome, "x.csv")
    assert month is None and error is not None and "ÅÅÅÅ-MM" in error


@pytest.mark.parametrize("value", ["2019-04", "2019-04-01", "201904"])
def test_month_column_with_one_value(value: str) -> None:
    outcome = month_outcome([value] * 3)
    assert outcome.cases is not None
    assert outcome.cases.get_column("report_month").to_list() == ["2019-04"] * 3
    assert resolve_report_month(None, outcome, "export_2019-05.csv") == ("2019-04", None)


def test_month_column_with_several_values_is_an_error() -> None:
    outcome = month_outcome(["2019-04", "2019-05", "2019-04"])
    month, error = resolve_report_month(None, outcome, "export_2019-05.csv")
    assert month is None and error is not None and "2019-04, 2019-05" in error


def test_month_column_with_a_bad_value_is_a_problem() -> None:
    outcome = month_outcome(["2019-04", "april", "2019-04"])
    problem = next(p for p in outcome.problems if p.rule == "ej_manad")
    assert problem.rows == [3] and problem.examples == ["april"]


@pytest.mark.parametrize(
    ("name", "month"), [("samre_2019-03.csv", "2019-03"), ("SAMRE 2019_11 export.xlsx", "2019-11")]
)
def test_month_from_file_name(name: str, month: str) -> None:
    outcome = read_and_validate(csv_text(ROWS).encode(), name)
    assert resolve_report_month(None, outcome, name) == (month, None)


def test_no_month_anywhere() -> None:
    outcome = read_and_validate(csv_text(ROWS).encode(), "export.csv")
    assert resolve_report_month(None, outcome, "export_201913.csv") == (
        None,
        "Rapportmånad saknas: ange --month ÅÅÅÅ-MM, en kolumn rapportmanad eller ÅÅÅÅ-MM "
        "i filnamnet.",
    )


# --- command-line report -------------------------------------------------------------------


def test_report_lists_each_problem_with_rule_column_rows_and_examples() -> None:
    rows = [r.copy() for r in ROWS]
    rows[1][4] = "Q"
    rows[2][4] = "Z"
    text = format_report(read_and_validate(csv_text(rows).encode(), "mars.csv"))
    assert text.splitlines()[0] == "Fil: mars.csv"
    assert "avvisad" in text
    assert "[okand_kod]" in text
    assert "kolumn: kon" in text
    assert "rad: 3, 4" in text
    assert "'Q', 'Z'" in text
    assert "Tillåtna värden: K, M, X." in text


def test_report_for_an_accepted_file() -> None:
    text = format_report(read_and_validate(csv_text(ROWS).encode(), "mars.csv"))
    assert "godkänd" in text and "3 datarader" in text
