"""The demo set on an empty database: loaded by app.py's explicit step, or, with
``LAGESBILD_DEMO=0``, an empty database that every page explains."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from store import Store
from ui.layout import DEMO_NOTICE

APP = str(Path(__file__).resolve().parent.parent / "app.py")
PAGES = [
    "views/utfall.py",
    "views/kommuner.py",
    "views/trender.py",
    "views/mal.py",
    "views/ekonomi.py",
    "views/datakvalitet.py",
    "views/definitioner.py",
    "views/ladda_upp.py",
    "views/logg.py",
]


def _app(url: str, monkeypatch: pytest.MonkeyPatch, demo: str | None) -> AppTest:
    monkeypatch.setenv("DATABASE_URL", url)
    if demo is None:
        monkeypatch.delenv("LAGESBILD_DEMO", raising=False)
    else:
        monkeypatch.setenv("LAGESBILD_DEMO", demo)
    st.cache_resource.clear()
    st.cache_data.clear()
    return AppTest.from_file(APP, default_timeout=120).run()


def _infos(at: AppTest) -> list[str]:
    return [i.value for i in at.info]


def test_with_the_demo_off_an_empty_database_stays_empty_and_says_why(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = _app(sqlite_url, monkeypatch, "0")
    assert not at.exception
    assert any("Databasen är tom" in text and "cli.py demo" in text for text in _infos(at))
    assert DEMO_NOTICE not in _infos(at)
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, page
    store = Store(sqlite_url)
    assert store.is_empty() and store.history() == []
    store.close()


def test_with_the_demo_on_by_default_an_empty_database_shows_the_demo(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = _app(sqlite_url, monkeypatch, None)
    assert not at.exception
    assert DEMO_NOTICE in _infos(at)
    assert not any("Databasen är tom" in text for text in _infos(at))
    assert len(at.metric) > 0
    store = Store(sqlite_url)
    assert store.has_demo_data()
    assert store.history() and {r.imported_by for r in store.history()} == {"demo"}
    store.close()
