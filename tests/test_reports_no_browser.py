"""Without Chrome or Chromium the pack is still made: tables, and a note for each chart.

The browser is hidden behind a BROWSER_PATH that leads nowhere (kaleido's lookup takes it
first). The command runs as a real process with a timeout, so a hang fails the test.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pypdf
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from charts.browser import NO_BROWSER_TEXT, chart_browser
from demo.load import load_demo_set
from reports.html import MISSING_CHART_NOTE
from store import Store

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
NOWHERE = "/nonexistent/chromium"


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = f"sqlite:///{tmp_path_factory.mktemp('nobrowser') / 'demo.db'}"
    store = Store(url)
    load_demo_set(store)
    store.close()
    yield url


def test_the_lookup_follows_browser_path(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("BROWSER_PATH", NOWHERE)
    assert chart_browser() is None
    not_runnable = tmp_path / "chromium"
    not_runnable.write_text("")
    monkeypatch.setenv("BROWSER_PATH", str(not_runnable))
    assert chart_browser() is None


def test_cli_pdf_without_a_browser_has_tables_and_notes(demo_url: str, tmp_path: Path) -> None:
    out = tmp_path / "underlag.pdf"
    env = {**os.environ, "DATABASE_URL": demo_url, "BROWSER_PATH": NOWHERE}
    env.pop("LAGESBILD_CLI_ROLES", None)
    result = subprocess.run(
        [sys.executable, str(ROOT / "cli.py"), "report", "--project", "Vägval", "--out", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "Chrome eller Chromium saknas" in result.stderr and "PNG" in result.stderr
    reader = pypdf.PdfReader(io.BytesIO(out.read_bytes()))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    note = " ".join(MISSING_CHART_NOTE.split())
    assert text.count(note[:60]) >= 4  # outcomes, flow, comparison, activity, trends
    assert "Tabell: " in text and "Nyckeltal för Vägval" in text


def test_pages_say_png_and_pdf_images_are_off(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", demo_url)
    monkeypatch.setenv("BROWSER_PATH", NOWHERE)
    st.cache_resource.clear()
    st.cache_data.clear()
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Ladda ner diagrammet (PNG)" not in labels
    assert "Ladda ner mötesunderlaget (PDF)" in labels  # still made, with tables
    assert any(info.value == NO_BROWSER_TEXT for info in at.info)

    monkeypatch.delenv("BROWSER_PATH")
    if chart_browser() is not None:
        at = AppTest.from_file(APP, default_timeout=120).run()
        labels = [b.proto.label for b in at.get("download_button")]
        assert "Ladda ner diagrammet (PNG)" in labels
        assert not any(info.value == NO_BROWSER_TEXT for info in at.info)
