"""Download buttons for the meeting pack (Mötesunderlag) on Översikt.

The pack is built only when a button is clicked (the data is a callable), so showing the
page costs nothing; the PDF's chart export takes a few seconds.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

import streamlit as st

from metrics.period import Period
from store import Store
from ui.filters import Filters
from ui.text import escape_markdown

if TYPE_CHECKING:
    from reports.export import ReportFormat


def _file_stem(project: str, month: str | None) -> str:
    folded = project.lower().translate(str.maketrans("åäöé", "aaoe"))
    slug = re.sub(r"[^a-z0-9]+", "-", folded).strip("-") or "insats"
    return f"motesunderlag-{slug}" + (f"-{month}" if month else "")


def report_downloads(
    store: Store, project: str, month: str | None, period: Period | None = None
) -> None:
    """The PDF and HTML buttons for ``project`` as of ``month`` (None: its newest month), its
    goals month by month over ``period`` (None: the newest months)."""
    from access.roles import Action, can
    from reports.export import export_report
    from ui.identity import acting_user

    user = acting_user()
    if not can(user, Action.REPORT_EXPORT):
        st.info(
            "Mötesunderlaget tas ut av projektledare (uppladdare) och administratörer.",
            icon=":material/lock:",
        )
        return

    from charts.browser import NO_BROWSER_TEXT, static_images_available

    if not static_images_available():
        st.info(NO_BROWSER_TEXT, icon=":material/hide_image:")

    def pack(kind: ReportFormat) -> Callable[[], bytes]:
        return lambda: export_report(store, project, month, kind, user, period)[1]

    stem = _file_stem(project, month)
    suffix = f"_{period.code}" if period is not None else ""
    left, right = st.columns(2)
    left.download_button(
        "Ladda ner mötesunderlaget (PDF)",
        data=pack("pdf"),
        file_name=f"{stem}.pdf",
        mime="application/pdf",
        key=f"report_pdf_{project}_{month}{suffix}",
        on_click="ignore",
        icon=":material/picture_as_pdf:",
    )
    right.download_button(
        "Ladda ner mötesunderlaget (HTML)",
        data=pack("html"),
        file_name=f"{stem}.html",
        mime="text/html",
        key=f"report_html_{project}_{month}{suffix}",
        on_click="ignore",
        icon=":material/code:",
    )


def meeting_pack_section(store: Store, filters: Filters) -> None:
    """The pack for the filtered project, or for a project chosen here when there is none."""
    from reports.content import report_projects

    st.subheader("Mötesunderlag")
    projects = report_projects(store)
    if not projects:
        return
    chosen = filters.selection.chosen("project") or ()
    if len(chosen) == 1 and chosen[0] in projects:
        project = chosen[0]
        st.markdown(
            f"Underlag för {escape_markdown(project)} att ladda ner och lägga till protokollet."
        )
    else:
        project = st.selectbox("Insats för mötesunderlaget", projects, key="report_project")
    # Body text, not st.caption: captions fall short of the 4.5:1 contrast.
    st.markdown(
        "Underlaget gäller hela insatsen, utan urvalet i sidopanelen; små tal visas som <5."
    )
    month = filters.report_month
    if month and not any(
        r.project == project and r.report_month <= month and r.status == "current"
        for r in store.history()
    ):
        st.info(
            f"{escape_markdown(project)} har ingen export till och med {month}.",
            icon=":material/info:",
        )
        return
    report_downloads(store, project, month, filters.selection.period)
