"""The mapping step on Ladda upp through AppTest: map, save, next month automatic, changed
headers, a new value refused and the mapping extended; the template download."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from mappings.service import latest_mapping
from store import Store
from tests.test_ingest_mapping import HEADERS, ROWS, _csv

APP = str(Path(__file__).resolve().parent.parent / "app.py")
PAGE = "views/ladda_upp.py"


@pytest.fixture
def page(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'mapping.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    st.cache_resource.clear()
    st.cache_data.clear()
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page(PAGE).run()
    return at, Store(url)


def _upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.file_uploader[0].set_value((name, data, "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def _texts(elements) -> str:
    """What the user reads: Markdown escapes removed."""
    return " ".join(str(e.value) for e in elements).replace("\\", "")


def _sheet(rows: list[list[object]], headers: list[str] = HEADERS) -> bytes:
    """The project's CSV: a title row, headers on row 3, a totals row after a blank row."""
    return _csv([*rows, [None] * len(headers), ["Summa", len(rows)]], headers)


def _month(rows: list[list[object]], first_id: str) -> list[list[object]]:
    changed = [list(r) for r in rows]
    changed[0][0] = first_id
    return changed


def test_map_save_then_next_month_is_automatic(page):
    at, store = page
    _upload(at, "vagval_2020-01.csv", _sheet(ROWS))
    assert "Koppla filens kolumner" in _texts(at.subheader)
    # The plain read's notes about columns it did not know are not shown over the step.
    assert "saknar rubrik" not in _texts(at.warning)
    # Suggested fields, with samples masked where the guard would mask them.
    picker = at.selectbox(key="mapping_column_0")
    assert picker.value == "deltagare_id"
    assert at.selectbox(key="mapping_column_11").value == ""  # Kommentar: ignored
    assert at.number_input(key="mapping_header_row").value == 3
    assert at.checkbox(key="mapping_stop").value is True
    save = _button(at, "Spara kopplingen för insatsen")
    assert save.disabled  # no insats named yet

    at.text_input(key="mapping_project").set_value("Vägval").run()
    # Each coded column's values with counts and a code picker.
    value_labels = {s.label for s in at.selectbox if s.key.startswith("mapping_value_")}
    assert "Försörjningsstöd (2 st)" in value_labels
    assert "(tom cell) (1 st)" in value_labels
    # The live preview shows the rows as Lägesbild reads them.
    preview = next(d.value for d in at.dataframe if "Insats" in d.value and "Kön" in d.value)
    assert "Försörjning vid start" in preview.columns
    assert set(preview["Försörjning vid start"]) == {"ekonomiskt_bistand"}
    assert list(preview["Insats"]) == ["Vägval"] * 3

    _button(at, "Spara kopplingen för Vägval").click().run()
    assert not at.exception
    stored = latest_mapping(store, "Vägval")
    assert stored is not None and stored.version == 1
    assert stored.mapping.header_row == 3 and stored.mapping.constants == {"insats": "Vägval"}
    assert "sparad (version 1)" in _texts(at.success)
    assert "samma rubriker som den sparade kopplingen för Vägval (version 1)" in _texts(at.info)
    _button(at, "Importera").click().run()
    assert "Importerad: Vägval 2020-01, 3 rader" in _texts(at.success)

    # Next month: same headers, read with the saved mapping without asking.
    _upload(at, "vagval_2020-02.csv", _sheet(_month(ROWS, "V-10")))
    assert "Koppla filens kolumner" not in _texts(at.subheader)
    assert "kopplingen för Vägval (version 1)" in _texts(at.info)
    _button(at, "Importera").click().run()
    assert "Importerad: Vägval 2020-02, 3 rader" in _texts(at.success)


def test_new_value_is_refused_then_the_mapping_is_extended(page):
    at, store = page
    _upload(at, "vagval_2020-01.csv", _sheet(ROWS))
    at.text_input(key="mapping_project").set_value("Vägval").run()
    _button(at, "Spara kopplingen för Vägval").click().run()

    rows = _month(ROWS, "V-20")
    rows[1][6] = "Kommunalt stöd"
    _upload(at, "vagval_2020-03.csv", _sheet(rows))
    assert "kan inte tas emot" in _texts(at.error)
    problems = next(d.value for d in at.dataframe if "Fel" in d.value)
    assert any("'Kommunalt stöd'" in m for m in problems["Fel"])
    assert not [b for b in at.button if b.label == "Importera"]

    _button(at, "Utöka kopplingen för Vägval").click().run()
    assert "Koppla filens kolumner" in _texts(at.subheader)
    new_value = next(s for s in at.selectbox if s.label == "Kommunalt stöd (1 st)")
    assert new_value.value == ""
    assert "inget förslag" in _texts(at.caption)
    new_value.set_value("annan").run()
    _button(at, "Spara kopplingen för Vägval").click().run()
    stored = latest_mapping(store, "Vägval")
    assert stored.version == 2
    assert stored.mapping.values["forsorjning_start"]["Kommunalt stöd"] == "annan"
    assert "klarade kontrollen" in _texts(at.success)
    saves = [e for e in store.audit_entries() if e["action"] == "mapping_save"]
    assert saves[0]["detail"]["changes"] == [
        ["values.forsorjning_start", "Kommunalt stöd", None, "annan"]
    ]


def test_changed_headers_show_what_changed_and_ask(page):
    at, store = page
    _upload(at, "vagval_2020-01.csv", _sheet(ROWS))
    at.text_input(key="mapping_project").set_value("Vägval").run()
    _button(at, "Spara kopplingen för Vägval").click().run()

    headers = ["Deltagar-id" if h == "Deltagarnr" else h for h in HEADERS]
    _upload(at, "vagval_2020-04.csv", _sheet(_month(ROWS, "V-30"), headers))
    warning = _texts(at.warning)
    assert "Rubrikerna har ändrats" in warning
    assert "Nya kolumner: 'Deltagar-id'" in warning
    assert "Kolumner som saknas: 'Deltagarnr'" in warning
    _button(at, "Uppdatera kopplingen för Vägval").click().run()
    assert at.selectbox(key="mapping_column_0").value == "deltagare_id"
    _button(at, "Spara kopplingen för Vägval").click().run()
    assert latest_mapping(store, "Vägval").version == 2
    assert "klarade kontrollen" in _texts(at.success)


def test_personal_data_file_gets_no_mapping_step(page):
    at, _ = page
    rows = [list(r) for r in ROWS]
    rows[0][11] = "19121212-1212"
    _upload(at, "vagval.csv", _sheet(rows))
    assert "Koppla filens kolumner" not in _texts(at.subheader)
    shown = " ".join(str(df.value) for df in at.dataframe)
    assert "19121212-****" in shown and "19121212-1212" not in shown


def test_template_download(page):
    at, _ = page
    (download,) = [d for d in at.get("download_button") if d.proto.label == "Ladda ner mall"]
    assert download.proto.label == "Ladda ner mall"
    from ui.mapping import template_bytes

    book = openpyxl.load_workbook(io.BytesIO(template_bytes()))
    assert book.sheetnames[0] == "Deltagare"
