"""The template: canonical headers, drop-down lists, date cells, frozen header, explanation;
filled in, it imports with no mapping."""

from __future__ import annotations

import io
from datetime import datetime

import openpyxl
from openpyxl.utils import get_column_letter

from ingest import schema
from ingest.pipeline import read_and_validate
from mappings.template import EXPLANATION_SHEET, LISTS_SHEET, build_template, dropdown_values
from tests.test_mappings import run_cli


def _workbook() -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(build_template()))


def _column_letter(header: str) -> str:
    index = [f.header for f in schema.FIELDS].index(header)
    return get_column_letter(index + 1)


def test_template_has_headers_lists_dates_frozen_row_and_explanation() -> None:
    book = _workbook()
    sheet = book["Deltagare"]
    assert book.sheetnames[0] == "Deltagare"
    assert [c.value for c in sheet[1]] == [f.header for f in schema.FIELDS]
    assert sheet.freeze_panes == "A2"

    lists = {
        str(v.sqref).split(":")[0]: v
        for v in sheet.data_validations.dataValidation
        if v.type == "list"
    }
    coded = [f for f in schema.FIELDS if f.kind in ("code", "yesno")]
    assert coded
    list_sheet = book[LISTS_SHEET]
    assert list_sheet.sheet_state == "hidden"
    for f in coded:
        validation = lists[f"{_column_letter(f.header)}2"]
        letter = _column_letter(f.header)
        offered = [c.value for c in list_sheet[letter][1:] if c.value is not None]
        assert offered == dropdown_values(f)
        assert f"{LISTS_SHEET}'!${letter}$2" in validation.formula1
    assert "Lön (arbete)" in dropdown_values(schema.FIELDS_BY_NAME["income_start"])

    dates = [v for v in sheet.data_validations.dataValidation if v.type == "date"]
    date_columns = {str(v.sqref).split(":")[0] for v in dates}
    assert date_columns == {
        f"{_column_letter(f.header)}2" for f in schema.FIELDS if f.kind == "date"
    }
    assert sheet.column_dimensions[_column_letter("startdatum")].number_format == "yyyy-mm-dd"

    explained = {row[0].value: row for row in book[EXPLANATION_SHEET].iter_rows(min_row=2)}
    for f in schema.FIELDS:
        assert explained[f.header][1].value == f.label
    assert "Ekonomiskt bistånd (ekonomiskt_bistand)" in str(explained["forsorjning_start"][4].value)


def test_filled_in_template_imports_without_a_mapping() -> None:
    book = _workbook()
    sheet = book["Deltagare"]
    values: dict[str, list[str | int | datetime | None]] = {
        "deltagare_id": ["T-1", "T-2"],
        "insats": ["Vägval", "Vägval"],
        "kommun": ["Upplands Väsby", "Sigtuna"],
        "kon": ["Kvinna", "Annat/okänt"],
        "alder": [34, 51],
        "startdatum": [datetime(2019, 3, 1), datetime(2019, 4, 2)],
        "slutdatum": [datetime(2019, 9, 30), None],
        "forsorjning_start": ["Ekonomiskt bistånd", "Sjukpenning"],
        "forsorjning_slut": ["Lön (arbete)", None],
        "bistand_slut": ["Inget bistånd", None],
        "avslutsorsak": ["Ersättning från Försäkringskassan", None],
        "steg_start": ["2", "1"],
        "aktivitet_start": ["Nej", "Ja"],
        "utbildning": ["Eftergymnasial", "Okänd"],
        "diagnos": ["Smärta", "Flera"],
    }
    for header, cells in values.items():
        letter = _column_letter(header)
        for row, value in enumerate(cells, start=2):
            sheet[f"{letter}{row}"] = value
            if isinstance(value, datetime):
                sheet[f"{letter}{row}"].number_format = "yyyy-mm-dd"
    buffer = io.BytesIO()
    book.save(buffer)

    outcome = read_and_validate(buffer.getvalue(), "mall_2019-12.xlsx")
    assert outcome.ok and outcome.cases is not None, [p.message for p in outcome.problems]
    cases = outcome.cases.sort("case_id")
    assert cases["gender"].to_list() == ["K", "X"]
    assert cases["income_start"].to_list() == ["ekonomiskt_bistand", "sjukpenning"]
    assert cases["income_end"].to_list() == ["lon", None]
    assert cases["aid_end"].to_list() == ["inget", None]
    assert cases["exit_reason"].to_list() == ["ersattning", None]
    assert cases["education"].to_list() == ["eftergymnasial", "okand"]
    assert cases["diagnosis_group"].to_list() == ["smarta", "flera"]
    assert cases["step_start"].to_list() == [2, 1]
    assert cases["active_start"].to_list() == [False, True]
    assert str(cases["start_date"][0]) == "2019-03-01"


def test_template_command(tmp_path, capsys) -> None:
    out = tmp_path / "mall.xlsx"
    code, text, _ = run_cli(["template", "--out", str(out)], capsys)
    assert code == 0 and "mall.xlsx" in text
    assert openpyxl.load_workbook(out).sheetnames[:2] == ["Deltagare", EXPLANATION_SHEET]
    assert run_cli(["template", "--out", str(tmp_path / "saknas" / "m.xlsx")], capsys)[0] == 2
    assert run_cli(["template", "--out", str(tmp_path / "m.csv")], capsys)[0] == 2
    assert run_cli(["template"], capsys)[0] == 2
