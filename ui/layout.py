"""Shared page furniture: language, meeting mode, the demo notice, charts with their tables.

Every chart is shown with a table alternative and downloads (PNG of the figure, CSV and
XLSX of its data), so no information lives in a picture only.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from charts.browser import NO_BROWSER_TEXT, static_images_available
from exports.tables import to_csv_bytes, to_xlsx_bytes

DEMO_NOTICE = (
    "Uppgifterna är fiktiva: ett demodata som visar hur Lägesbild fungerar. "
    "Inga verkliga deltagare finns i dem."
)

_MEETING_CSS = """
<style>
html, body, [data-testid="stAppViewContainer"] { font-size: 21px; }
[data-testid="stMetricValue"] { font-size: 3.2rem; }
[data-testid="stMetricLabel"] p { font-size: 1.25rem; }
h1 { font-size: 2.8rem !important; }
</style>
"""

_BASE_CSS = """
<style>
[data-testid="stMetricValue"] { font-variant-numeric: tabular-nums; }
</style>
"""


def set_language_and_style(meeting_mode: bool) -> None:
    """Swedish `lang` on the page (screen readers, WCAG 3.1.1) and the meeting-mode type."""
    st.html(
        "<script>document.documentElement.setAttribute('lang', 'sv');</script>",
        unsafe_allow_javascript=True,
    )
    st.html(_BASE_CSS)
    if meeting_mode:
        st.html(_MEETING_CSS)


def demo_notice(is_demo: bool) -> None:
    if is_demo:
        st.info(DEMO_NOTICE, icon=":material/science:")


def chart_font_size(meeting_mode: bool) -> int:
    return 20 if meeting_mode else 14


def _slug(text: str) -> str:
    folded = re.sub(r"[^a-z0-9]+", "-", text.lower().translate(str.maketrans("åäö", "aao")))
    return folded.strip("-") or "diagram"


def figure_png(fig: go.Figure) -> Callable[[], bytes]:
    """A deferred PNG render: kaleido runs only when someone asks for the file."""
    return lambda: fig.to_image(format="png", width=1200, height=700, scale=2)


def show_chart(
    fig: go.Figure,
    table: pl.DataFrame,
    name: str,
    *,
    alt: str,
    key: str,
) -> None:
    """A chart, its table alternative and downloads of both."""
    slug = _slug(name)
    st.plotly_chart(
        fig,
        key=f"chart_{key}",
        alt=alt,
        # Our own layout (dark text, meeting-mode sizes), not Streamlit's lighter theme.
        theme=None,
        config={
            "displaylogo": False,
            "locale": "sv",
            "toImageButtonOptions": {"format": "png", "filename": slug, "scale": 2},
        },
    )
    with st.expander(f"Tabell och nedladdning: {name}"):
        show_table(table, name, key=key)
        # Without a browser kaleido would hang the download, so the button is not offered.
        if static_images_available():
            st.download_button(
                "Ladda ner diagrammet (PNG)",
                data=figure_png(fig),
                file_name=f"{slug}.png",
                mime="image/png",
                key=f"png_{key}",
                on_click="ignore",
            )
        else:
            st.info(NO_BROWSER_TEXT, icon=":material/hide_image:")


def show_table(
    table: pl.DataFrame, name: str, *, key: str, style: Callable[[object], str] | None = None
) -> None:
    """A table with CSV and XLSX downloads of exactly what it shows.

    ``style`` maps a cell to CSS (e.g. a background for cells above the overall value);
    the meaning is always in the cell's text too, never in colour alone.
    """
    slug = _slug(name)
    shown = table.to_pandas().style.map(style) if style is not None else table
    st.dataframe(shown, hide_index=True, width="stretch")
    left, right = st.columns(2)
    left.download_button(
        "Ladda ner tabellen (CSV)",
        data=lambda: to_csv_bytes(table),
        file_name=f"{slug}.csv",
        mime="text/csv",
        key=f"csv_{key}",
        on_click="ignore",
    )
    right.download_button(
        "Ladda ner tabellen (Excel)",
        data=lambda: to_xlsx_bytes(table, sheet=name),
        file_name=f"{slug}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"xlsx_{key}",
        on_click="ignore",
    )


def empty_state(message: str) -> None:
    st.info(message, icon=":material/info:")
