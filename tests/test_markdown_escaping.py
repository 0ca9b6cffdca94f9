"""Names from files are shown as the characters they are: no bold, no link, no heading.

Streamlit renders Markdown in text, alerts and labels; AppTest gives each element's
Markdown source, so the test checks that source: every Markdown character escaped, no
address left whole for GFM to link, and the name readable once the escapes are undone.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import polars as pl
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from access.roles import local_user, system_user
from goals.model import Goal
from goals.service import create_goal
from store import Store
from store.importer import import_export
from ui.text import WORD_JOINER, escape_markdown

APP = str(Path(__file__).resolve().parent.parent / "app.py")
EVIL = "**Fet** [klicka](https://evil.example) _kursiv_ :red[röd] $x$"
TEXT_ELEMENTS = ("markdown", "caption", "info", "warning", "error", "success", "title", "subheader")


def _unescaped(markdown: str) -> str:
    """What a reader sees of escaped Markdown: the escapes and word joiners gone."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace(WORD_JOINER, "")


def _export(project: str, month: str) -> bytes:
    frame = pl.DataFrame(
        {
            "deltagare_id": [f"P{i}" for i in range(8)],
            "insats": [project] * 8,
            "kommun": ["Sollentuna"] * 8,
            "kon": ["K", "M"] * 4,
            "startdatum": ["2019-01-15"] * 8,
            "rapportmanad": [month] * 8,
        }
    )
    return frame.write_csv(separator=";").encode()


def assert_inert(at: AppTest, name: str = EVIL) -> None:
    bodies = [str(e.value) for kind in TEXT_ELEMENTS for e in getattr(at, kind)]
    bodies += [e.label for e in at.expander]
    for body in bodies:
        assert "**Fet**" not in body and "[klicka]" not in body, body
        assert "https://" not in body and "_kursiv_" not in body and ":red[" not in body, body
    assert any(name in _unescaped(body) for body in bodies), bodies


def test_escape_markdown_keeps_the_characters_and_breaks_autolinks() -> None:
    for text in (EVIL, "www.evil.example", "anna@exempel.se", "# Rubrik", "1. lista", "<b>x</b>"):
        escaped = escape_markdown(text)
        assert _unescaped(escaped) == text
        assert not re.search(r"(?<!\\)[*_\[\]#<>:$]", escaped), escaped
        assert "www." not in escaped and "@e" not in escaped
    assert escape_markdown("Upplands-Bro, Vägval (2019).") == "Upplands-Bro, Vägval (2019)."
    assert escape_markdown("rad ett\n    - rad två") == "rad ett  \n\\- rad två"


@pytest.fixture
def evil_database(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'evil.db'}"
    store = Store(url)
    outcome = import_export(
        store, _export(EVIL, "2019-03"), "export_2019-03.csv", actor=system_user("lokal")
    )
    assert outcome.status == "imported", outcome.message
    goal = Goal(
        id="ond",
        project=EVIL,
        title=EVIL,
        period="[Period](https://evil.example)",
        kind="manual",
        status="green",
        assessed=date(2019, 3, 1),
        comment=EVIL,
        description=EVIL,
    )
    create_goal(store, goal, local_user())
    store.close()
    monkeypatch.setenv("DATABASE_URL", url)
    st.cache_resource.clear()
    st.cache_data.clear()
    return url


def test_overview_with_the_project_filtered(evil_database) -> None:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["insats"] = [EVIL]
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert_inert(at)
    assert any("Underlag för" in b.value for b in at.markdown)


@pytest.mark.parametrize("page", ["views/mal.py", "views/utfall.py", "views/kommuner.py"])
def test_pages_show_the_name_literally(evil_database, page) -> None:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["insats"] = [EVIL]
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert_inert(at)


def test_upload_messages_show_file_and_project_names_literally(evil_database) -> None:
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page("views/ladda_upp.py").run()
    file_name = "**fil** [x](https://evil.example) 2019-04.csv"
    at.file_uploader[0].set_value((file_name, _export(EVIL, "2019-04"), "text/csv")).run()
    next(b for b in at.button if b.label == "Importera").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Importerad" in s.value for s in at.success)
    assert_inert(at)

    refused = _export(EVIL, "2019-05").replace(b"Sollentuna", b"Atlantis")
    at.file_uploader[0].set_value((file_name, refused, "text/csv")).run()
    assert at.error
    assert_inert(at, file_name)
