"""Översikt offers the meeting pack for download, with a project choice when none is filtered."""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def test_overview_has_the_pack_buttons_and_a_project_choice(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'demo.db'}")
    st.cache_resource.clear()
    st.cache_data.clear()
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception

    choice = next(s for s in at.selectbox if s.label == "Insats för mötesunderlaget")
    assert sorted(choice.options) == ["Brobygget", "Vägval"]
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Ladda ner mötesunderlaget (PDF)" in labels
    assert "Ladda ner mötesunderlaget (HTML)" in labels

    choice.set_value("Vägval").run()
    assert not at.exception
    keys = {b.proto.id.rsplit("-", 1)[-1] for b in at.get("download_button")}
    assert {"report_pdf_Vägval_None", "report_html_Vägval_None"} <= keys
