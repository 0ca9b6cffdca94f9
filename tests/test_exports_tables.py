"""Tables for Swedish Excel: BOM, `;`, decimal comma, and no formula ever runs."""

import io

import openpyxl
import polars as pl
import pytest

from exports.tables import sheet_name, sheet_names, to_csv_bytes, to_xlsx_bytes

DANGEROUS = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]


def _frame() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "Kommun": ["Upplands Väsby", *DANGEROUS],
            "Andel": [0.264, 1.5, None, 2.25, 0.0, 3.0, 1234.5],
        }
    )


def test_csv_opens_right_in_swedish_excel():
    data = to_csv_bytes(_frame())
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == "Kommun;Andel"
    assert lines[1] == "Upplands Väsby;0,264"


def test_csv_neutralises_every_formula_start():
    text = to_csv_bytes(_frame()).decode("utf-8-sig")
    read = pl.read_csv(io.StringIO(text), separator=";", infer_schema=False)
    for cell in read["Kommun"].to_list()[1:]:
        assert cell.startswith("'"), cell
    assert read["Kommun"][0] == "Upplands Väsby"


def test_xlsx_cells_are_text_not_formulas():
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(_frame(), sheet="Data")))
    sheet = book.active
    cells = [sheet.cell(row=r, column=1) for r in range(2, 2 + 1 + len(DANGEROUS))]
    assert cells[0].value == "Upplands Väsby"
    for cell, original in zip(cells[1:], DANGEROUS, strict=True):
        assert cell.data_type == "s"
        # openpyxl shows a stored carriage return in its escaped form _x000D_
        assert cell.value.replace("_x000D_", "\r") == "'" + original


@pytest.mark.parametrize(
    "name",
    [
        "Trattdiagram: Andel i aktivitet vid avslut",
        "a/b\\c?d*e[f]g:h",
        "'citerad'",
        "'" * 40,
        "",
        "   ",
        "History",
        "x" * 30 + "'y",
        "rad\nbrytning\tmed tabb",
    ],
)
def test_any_title_becomes_a_sheet_name_excel_accepts(name):
    made = sheet_name(name)
    assert 0 < len(made) <= 31
    assert not set(made) & set(":\\/?*[]")
    assert not made.startswith("'") and not made.endswith("'")
    assert made.lower() != "history"
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(_frame(), sheet=name)))
    assert book.active.title == made
    assert book.active.cell(row=2, column=1).value == "Upplands Väsby"


def test_sheet_names_in_one_workbook_are_distinct_without_regard_to_case():
    made = sheet_names(["Utfall", "utfall", "Utfall", "x" * 40, "x" * 31])
    assert len({m.lower() for m in made}) == len(made)
    assert all(len(m) <= 31 for m in made)
    assert made[0] == "Utfall"


def test_categorical_text_is_neutralised_too():
    frame = pl.DataFrame({"Insats": ["=1+1", "Vägval"]}, schema={"Insats": pl.Categorical})
    text = to_csv_bytes(frame).decode("utf-8-sig")
    assert text.splitlines()[1:] == ["'=1+1", "Vägval"]
