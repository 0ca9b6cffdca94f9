"""Every table and chart download the pages offer writes an XLSX that opens.

The names are collected from the pages themselves, run through AppTest on the demo data,
with every choice of metric, unit and flow, so a new title cannot slip past.
"""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import polars as pl
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import ui.layout
from exports.tables import to_xlsx_bytes

APP = str(Path(__file__).resolve().parent.parent / "app.py")
PAGES = [
    "views/utfall.py",
    "views/kommuner.py",
    "views/trender.py",
    "views/ekonomi.py",
    "views/datakvalitet.py",
    "views/logg.py",
]


@pytest.fixture(scope="module")
def demo_database(tmp_path_factory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('downloads') / 'demo.db'}"


@pytest.fixture
def downloads(demo_database, monkeypatch) -> dict[str, pl.DataFrame]:
    """Each download name a page offers, with the table behind it."""
    monkeypatch.setenv("DATABASE_URL", demo_database)
    st.cache_resource.clear()
    st.cache_data.clear()
    seen: dict[str, pl.DataFrame] = {}
    original = ui.layout.show_table

    def recording(table, name, **kwargs):
        seen[name] = table
        return original(table, name, **kwargs)

    monkeypatch.setattr(ui.layout, "show_table", recording)
    return seen


def _every_choice(at: AppTest) -> None:
    """Run the page once per option of each choice widget it has (the sidebar's shared
    filters are the pages' tests')."""
    for widget in [*at.main.selectbox, *at.main.radio]:
        for option in widget.options:
            widget.set_value(option).run()
            assert not at.exception, [e.value for e in at.exception]


def test_every_download_name_writes_an_xlsx_that_opens(downloads):
    at = AppTest.from_file(APP, default_timeout=120).run()
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, [e.value for e in at.exception]
        if page in ("views/kommuner.py", "views/utfall.py", "views/trender.py"):
            _every_choice(at)
    names = set(downloads)
    assert any(":" in name for name in names)  # the funnel chart's title
    assert len(names) >= 10
    for name, table in downloads.items():
        book = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(table, sheet=name)))
        sheet = book.active
        assert len(sheet.title) <= 31 and sheet.title.strip(), name
        header = [cell.value for cell in sheet[1]]
        assert header == table.columns, name
        assert sheet.max_row == table.height + 1, name
