"""The upload page through AppTest: check, import, refuse, confirm a replacement, restore."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from demo.generator import demo_cases, demo_snapshot
from store import Store

APP = str(Path(__file__).resolve().parent.parent / "app.py")
PAGE = "views/ladda_upp.py"


def _csv(frame: pl.DataFrame, month: str = "2020-01") -> bytes:
    """An export for a month the demo set does not have, named in a rapportmanad column."""
    return frame.with_columns(rapportmanad=pl.lit(month)).write_csv(separator=";").encode()


@pytest.fixture
def page(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'upload.db'}"
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


def test_import_then_same_file_again_is_a_no_op(page):
    at, store = page
    before = len(store.history())
    data = _csv(demo_snapshot(demo_cases(), "2019-12"))
    _upload(at, "exempel.csv", data)
    assert any("klarade kontrollen" in s.value for s in at.success)
    assert at.text_input[0].value == "2020-01"
    _button(at, "Importera").click().run()
    assert any("Importerad" in s.value for s in at.success)
    after = store.history()
    assert len(after) == before + 2  # one snapshot per project in the file
    assert {r.report_month for r in after[:2]} == {"2020-01"}

    _button(at, "Importera").click().run()
    assert any("redan importerad" in i.value for i in at.info)
    assert len(store.history()) == before + 2


def test_personal_data_is_refused_masked_and_nothing_is_stored(page):
    at, store = page
    before = len(store.history())
    snapshot = demo_snapshot(demo_cases(), "2019-12")
    poisoned = snapshot.with_columns(
        pl.when(pl.int_range(pl.len()) == 3)
        .then(pl.lit("19121212-1212"))
        .otherwise(pl.col("deltagare_id"))
        .alias("deltagare_id")
    )
    _upload(at, "exempel_2020-01.csv", _csv(poisoned))
    assert any("kan inte tas emot" in e.value for e in at.error)
    shown = " ".join(str(df.value) for df in at.dataframe)
    assert "19121212-****" in shown
    assert "19121212-1212" not in shown
    assert not [b for b in at.button if b.label == "Importera"]
    assert len(store.history()) == before


def test_replacing_a_month_needs_confirmation_and_can_be_restored(page):
    at, store = page
    cases = demo_cases()
    _upload(at, "exempel_2020-01.csv", _csv(demo_snapshot(cases, "2019-11")))
    _button(at, "Importera").click().run()
    first = {r.project: r.id for r in store.history()[:2]}

    _upload(at, "exempel_2020-01b.csv", _csv(demo_snapshot(cases, "2019-12")))
    _button(at, "Importera").click().run()
    assert any("Bekräfta" in w.value for w in at.warning)
    assert {r.id for r in store.history() if r.report_month == "2020-01"} == set(first.values())

    at.checkbox[0].check().run()
    _button(at, "Ersätt").click().run()
    statuses = {r.id: r.status for r in store.history() if r.report_month == "2020-01"}
    assert all(statuses[i] == "replaced" for i in first.values())
    assert sum(s == "current" for s in statuses.values()) == 2

    replaced_id = first["Brobygget"]
    restore = next(s for s in at.selectbox if s.label == "Återställ en ersatt version")
    restore.set_value(replaced_id).run()
    _button(at, "Återställ").click().run()
    current = store.current_import("Brobygget", "2020-01")
    assert current is not None and current.id == replaced_id


def test_a_project_name_close_to_a_known_one_is_confirmed_as_new_on_the_page(page):
    at, store = page
    assert "Vägval" in store.known_projects()  # the demo set the page loaded
    snapshot = demo_snapshot(demo_cases(), "2019-12").filter(pl.col("insats") == "Vägval")
    data = _csv(snapshot.with_columns(insats=pl.lit("Vägvall")))
    before = len(store.history())
    _upload(at, "vagvall.csv", data)
    _button(at, "Importera").click().run()
    assert any("menade du Vägval?" in w.value for w in at.warning)
    assert len(store.history()) == before
    confirm = _button(at, "Importera som ny insats")
    assert confirm.disabled

    at.checkbox[0].check().run()
    _button(at, "Importera som ny insats").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Importerad: Vägvall 2020-01" in s.value.replace("\\", "") for s in at.success)
    assert len(store.history()) == before + 1
    assert "Vägvall" in store.known_projects()


def _everything_shown(at: AppTest) -> str:
    texts = [e.value for e in (*at.error, *at.warning, *at.success, *at.info, *at.markdown)]
    return " ".join(map(str, texts)) + " ".join(str(df.value) for df in at.dataframe)


def test_a_file_name_with_an_identity_number_is_refused_and_shown_masked(page):
    at, store = page
    before = len(store.history())
    _upload(at, "850101-1236_bad_2019-03.csv", _csv(demo_snapshot(demo_cases(), "2019-12")))
    assert any("850101-****_bad_2019-03.csv" in e.value.replace("\\", "") for e in at.error)
    assert "1236" not in _everything_shown(at)
    assert not [b for b in at.button if b.label == "Importera"]
    assert len(store.history()) == before


@pytest.mark.parametrize("header", ["Name", "Mobilnr", "Kontaktperson"])
def test_a_personal_data_column_is_refused_and_its_values_never_shown(page, header):
    at, store = page
    before = len(store.history())
    snapshot = demo_snapshot(demo_cases(), "2019-12").with_columns(
        pl.lit("Anna Svensson").alias(header)
    )
    _upload(at, "exempel_2020-01.csv", _csv(snapshot))
    assert any("kan inte tas emot" in e.value for e in at.error)
    assert "Anna" not in _everything_shown(at)
    assert len(store.history()) == before


def test_a_database_locked_by_another_writer_is_said_plainly(page, monkeypatch):
    at, store = page
    monkeypatch.setenv("LAGESBILD_LOCK_TIMEOUT", "1")
    before = len(store.history())
    _upload(at, "exempel.csv", _csv(demo_snapshot(demo_cases(), "2019-12")))
    # Another process holds the write lock (in this process SQLite would not see it).
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys\n"
            f"c = sqlite3.connect({str(store.engine.url.database)!r}, isolation_level=None)\n"
            "c.execute('BEGIN EXCLUSIVE')\n"
            "print('locked', flush=True)\n"
            "sys.stdin.read()\n",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        _button(at, "Importera").click().run()
    finally:
        holder.communicate("", timeout=30)

    assert not at.exception, [e.value for e in at.exception]
    assert any("är upptagen av en annan skrivning" in e.value for e in at.error)
    assert len(store.history()) == before
