"""The meeting pack as one self-contained HTML file: interactive charts that work offline.

plotly.js is written into the file itself (no CDN), there are no web fonts and no links to
fetch, so the file opens the same on a laptop without network as on the intranet. Text from
the data (project and municipality names) is escaped by Jinja's autoescape.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from itertools import groupby
from pathlib import Path
from typing import Any

import plotly.io as pio
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from reports.content import Chart, ReportContent

TEMPLATES = Path(__file__).resolve().parent / "templates"
TEMPLATE = "motesunderlag.html.j2"
STYLESHEET = TEMPLATES / "motesunderlag.css"

#: Plotly's modebar without the Chart Studio link and logo, the only parts that go online.
PLOTLY_CONFIG: dict[str, Any] = {
    "displaylogo": False,
    "showSendToCloud": False,
    "responsive": True,
    "toImageButtonOptions": {"format": "png", "scale": 2},
}

_environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
# "100 %" and "183 (gult" must not break at the space inside a figure.
_environment.filters["nbsp"] = lambda text: (
    str(text).replace(" %", "\u00a0%").replace(" av ", "\u00a0av\u00a0")
)


def _whole_parts(text: object) -> Markup:
    """A value in a narrow column, breakable only before its basis or a date:
    "87,6 %" and "(204 av 233)" each stay whole, and a date is not broken at its hyphens."""
    parts = re.split(r" (?=\(|\d{4}-\d{2}-\d{2})", str(text))
    return Markup(" ").join(Markup('<span class="nowrap">{}</span>').format(p) for p in parts)


_environment.filters["whole_parts"] = _whole_parts


def _goal_counts(content: ReportContent) -> list[dict[str, Any]]:
    """How many goals have each status, in the order of the first goal with it."""
    counts: dict[str, dict[str, Any]] = {}
    for goal in content.goals:
        entry = counts.setdefault(
            goal.status,
            {"symbol": goal.symbol, "word": goal.word, "colour": goal.colour, "count": 0},
        )
        entry["count"] += 1
    return list(counts.values())


#: Stands where a chart would be when it could not be drawn (no browser for the PDF's images).
MISSING_CHART_NOTE = (
    "Diagrammet kunde inte ritas här eftersom Chrome eller Chromium saknas på datorn som "
    "tog fram underlaget. Tabellen har samma uppgifter."
)


def render_page(content: ReportContent, charts: Mapping[str, str], *, plotly_js: str = "") -> str:
    """The pack's HTML with each chart's markup (interactive div or static image) in place.

    ``charts`` maps a chart key to trusted markup made by this package, never to text from
    the data, so it is inserted as it is. A chart without markup gets its title and a note.
    """
    template = _environment.get_template(TEMPLATE)
    periods = [
        (period, list(goals)) for period, goals in groupby(content.goals, lambda g: g.period)
    ]
    return template.render(
        r=content,
        css=Markup(STYLESHEET.read_text(encoding="utf-8")),
        charts={key: Markup(markup) for key, markup in charts.items()},
        plotly_js=Markup(plotly_js) if plotly_js else "",
        goal_periods=periods,
        goal_counts=_goal_counts(content),
        missing_chart_note=MISSING_CHART_NOTE,
    )


def _interactive(chart: Chart) -> str:
    assert chart.figure is not None
    return pio.to_html(
        chart.figure,
        full_html=False,
        include_plotlyjs=False,
        include_mathjax=False,
        config=PLOTLY_CONFIG,
        div_id=f"diagram-{chart.key}",
        default_width="100%",
    )


def render_html(content: ReportContent) -> str:
    """One HTML file holding the pack, its charts and the plotly.js bundle (inline)."""
    from plotly.offline import get_plotlyjs

    charts = {chart.key: _interactive(chart) for chart in content.figures()}
    # "</script" inside the bundle would end the script element early; it has none, but
    # escaping the sequence costs nothing and keeps the file valid whatever the version.
    bundle = get_plotlyjs().replace("</script", "<\\/script")
    return render_page(content, charts, plotly_js=bundle)
