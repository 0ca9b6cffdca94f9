"""The meeting pack as an A4 PDF, with WeasyPrint, for the board's minutes.

Charts are drawn once as static SVG by Plotly's own export (kaleido with the system
Chromium) and placed as images, or left out with a note when there is no browser
(``charts.browser``); the page layout, page numbers and running footer come from
the shared stylesheet's ``@page`` rules. Nothing is fetched: images are inline data and any
other URL is refused.
"""

from __future__ import annotations

import base64
import copy
import warnings

import plotly.graph_objects as go

from reports.content import Chart, ReportContent
from reports.html import render_page

#: Width in CSS pixels the charts are drawn at; at A4's text width this gives ~9 pt text.
CHART_WIDTH = 760
DEFAULT_HEIGHT = 450


def _for_print(figure: go.Figure) -> go.Figure:
    """A copy for paper: white background, no hover or modebar; the figure itself is kept."""
    printed = copy.deepcopy(figure)
    printed.update_layout(paper_bgcolor="white", plot_bgcolor="white", hovermode=False)
    return printed


def chart_svg(chart: Chart) -> bytes:
    assert chart.figure is not None
    figure = _for_print(chart.figure)
    height = figure.layout.height or DEFAULT_HEIGHT
    return figure.to_image(format="svg", width=CHART_WIDTH, height=height)


def _image(chart: Chart, svg: bytes) -> str:
    data = base64.b64encode(svg).decode("ascii")
    # The alt text is ours (fixed Swedish text plus a catalogue label), not data.
    alt = chart.alt.replace('"', "&quot;").replace("<", "&lt;")
    return f'<img src="data:image/svg+xml;base64,{data}" alt="{alt}">'


def static_charts(content: ReportContent) -> dict[str, str]:
    """Every chart as an inline SVG image, drawn by one kaleido browser for all of them.

    Without a browser there are no images (kaleido would hang): the page then notes where
    each chart would stand, and the tables carry the figures.
    """
    import kaleido

    from charts.browser import static_images_available

    charts = content.figures()
    if not charts or not static_images_available():
        return {}
    kaleido.start_sync_server(silence_warnings=True)
    try:
        with warnings.catch_warnings():
            # Plotly passes its launch options on each call; the running server has them.
            warnings.filterwarnings("ignore", message="The kopts argument is ignored")
            return {chart.key: _image(chart, chart_svg(chart)) for chart in charts}
    finally:
        kaleido.stop_sync_server(silence_warnings=True)


def render_pdf(content: ReportContent) -> bytes:
    """The pack as A4 PDF bytes."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    page = render_page(content, static_charts(content))
    # Inline data only: a file or network URL in the page is refused, never fetched.
    fetcher = URLFetcher(allowed_protocols=["data"])
    return HTML(string=page, url_fetcher=fetcher).write_pdf()
