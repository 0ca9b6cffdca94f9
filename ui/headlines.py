"""Översikt's opening: what changed, each as a sentence with its number, then its chart."""

from __future__ import annotations

import streamlit as st

from charts.comparison import interval_bars
from charts.headlines import period_bars
from goals.changes import colour_changes, colour_changes_sentence
from goals.service import goal_history, list_goals
from metrics.annual import annual_figures
from metrics.catalogue import CATALOGUE
from metrics.headlines import against_last_year, largest_differences
from presentation.annual import ANNUAL_TITLE, annual_table
from presentation.comparison import comparison_table
from presentation.headlines import difference_sentences, period_sentence, period_table
from store import Store
from ui.goals import badge_html
from ui.layout import chart_font_size, show_chart, show_table
from ui.selection import cached_figures, comparison_frame
from ui.text import escape_markdown


def show_goal_changes(store: Store) -> None:
    goals = list_goals(store)
    if not goals:
        return
    changes = colour_changes(goals, goal_history(store, last=2))
    st.markdown(f"**{colour_changes_sentence(changes)}**")
    for change in changes:
        st.markdown(
            f"- {escape_markdown(change.title)} ({escape_markdown(change.project)}): "
            f"{badge_html(change.before)} → {badge_html(change.after)} ({change.month})",
            unsafe_allow_html=True,
        )


def show_period_change(meeting_mode: bool) -> None:
    comparison = cached_figures(against_last_year)
    if comparison is None:
        return
    st.markdown(f"**{escape_markdown(period_sentence(comparison))}**")
    show_chart(
        period_bars(comparison, font_size=chart_font_size(meeting_mode)),
        period_table(comparison),
        "Deltagare under perioden och året innan",
        alt="Stapeldiagram: deltagare per insats under perioden och samma period året innan.",
        key="period_change",
    )


def show_largest_differences(meeting_mode: bool) -> None:
    differences = cached_figures(largest_differences)
    for sentence in difference_sentences(differences):
        st.markdown(f"**{escape_markdown(sentence)}**")
    if differences.height == 0:
        return
    first = differences.row(0, named=True)
    metric = CATALOGUE[first["metric"]]
    comparison = comparison_frame(metric.id, "municipality")
    show_chart(
        interval_bars(
            comparison,
            "Kommun",
            metric.label,
            font_size=chart_font_size(meeting_mode),
        ),
        comparison_table(comparison, "Kommun"),
        f"{metric.label} per kommun",
        alt=f"Stapeldiagram: {metric.label.lower()} per kommun med 95 %-intervall.",
        key="largest_difference",
    )


def show_annual_table(period_label: str) -> None:
    """The annual-report table of the chosen period, with its CSV and XLSX downloads."""
    figures = cached_figures(annual_figures)
    table = annual_table(figures)
    st.subheader(f"{ANNUAL_TITLE}, {period_label}")
    st.caption(
        "Per insats: deltagare under perioden, nya och avslutade, efter kön. Små tal visas "
        "som ”<5”, och ”dold” är ett tal som döljs för att ett litet tal inte ska kunna "
        "räknas fram."
    )
    if table.height == 0:
        st.info("Inga deltagare under perioden i de inlästa exporterna.", icon=":material/info:")
        return
    show_table(table, ANNUAL_TITLE, key="annual")
