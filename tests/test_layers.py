"""The layers import only downward: no Streamlit below ui/, no ui/ in the meeting pack."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_pipeline_without_pages_does_not_load_streamlit():
    """presentation, metrics, reports, goals and the command line load without Streamlit."""
    code = (
        "import importlib, pkgutil, sys\n"
        "for package in ('presentation', 'metrics', 'reports', 'goals'):\n"
        "    for module in pkgutil.iter_modules([package]):\n"
        "        importlib.import_module(f'{package}.{module.name}')\n"
        "import cli\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'streamlit'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def _imported(package: str) -> set[str]:
    modules: set[str] = set()
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                modules.add(node.module)
            elif isinstance(node, ast.Import):
                modules.update(alias.name for alias in node.names)
    return modules


def _top(modules: set[str]) -> set[str]:
    return {m.split(".")[0] for m in modules}


def test_the_meeting_pack_and_the_goals_import_nothing_from_ui():
    assert "ui" not in _top(_imported("reports"))
    assert "ui" not in _top(_imported("goals"))


def test_presentation_sits_below_charts_and_above_metrics():
    imported = _top(_imported("presentation"))
    assert not imported & {"streamlit", "ui", "views", "charts", "reports", "goals", "plotly"}


def test_metrics_import_no_presentation_or_streamlit():
    imported = _top(_imported("metrics"))
    assert not imported & {"streamlit", "ui", "views", "charts", "presentation", "reports"}
