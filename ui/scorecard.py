"""Streamlit glue for the top of the Mål page: the goals month by month, and one goal's trend.

The scorecard is a plain HTML table, not a data grid: it has a caption, column headers and
the goal's title as each row's header, so a screen reader can name every cell; it grows with
meeting mode's larger text; and with many months it scrolls sideways inside its own
focusable region (arrow keys scroll it) while the goals' titles stay in view. Each cell is
colour, symbol and word; the symbol is hidden from screen readers, which read the word.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import streamlit as st

from charts.goal_trend import NO_METRIC_TEXT
from charts.goal_trend import goal_trend as goal_trend_chart
from goals.model import Goal
from goals.records import GoalMonth, GoalStatus
from goals.scorecard import (
    DEFAULT_MONTHS,
    NO_STATUS_LABEL,
    NO_STATUS_TEXT,
    ZONES_NOTE,
    GoalTrend,
    Scorecard,
    ScorecardCell,
    build_scorecard,
    goal_trend,
    scorecard_months,
)
from goals.service import goal_changes, goal_history, goal_statuses, list_goals, status_months
from metrics.period import Period
from store import Store
from store.budget_store import BudgetStore
from store.goal_store import GoalStore
from ui.layout import chart_font_size, show_chart, show_table
from ui.state import data_version
from ui.text import escape_markdown

VALUE_NOW = "Värde nu"
TREND_KEY = "scorecard_goal"

_CSS = """
<style>
/* The region opens scrolled to its right end, on the newest months and the value now:
   a right-to-left scroll container starts there; the table inside reads left to right. */
.lb-scorecard { overflow-x: auto; max-width: 100%; margin: 0.25rem 0 0.5rem;
  border: 1px solid #8c8c8c; border-radius: 0.3rem; direction: rtl; }
.lb-scorecard:focus-visible { outline: 3px solid #0072B2; outline-offset: 2px; }
.lb-scorecard table { direction: ltr; border-collapse: separate; border-spacing: 0;
  margin: 0; font-size: 0.9rem; line-height: 1.25; width: max-content; min-width: 100%; }
.lb-scorecard th, .lb-scorecard td { padding: 0.35em 0.5em; border: 0;
  border-bottom: 1px solid #d9d9d9; vertical-align: middle; }
.lb-scorecard thead th { background: #f2f2f2; color: #1a1a1a; font-weight: 600;
  white-space: nowrap; border-bottom: 2px solid #404040; text-align: center; }
.lb-scorecard th.goal { position: sticky; left: 0; z-index: 1; background: #ffffff;
  text-align: left; min-width: 12em; max-width: 18em; white-space: normal;
  box-shadow: 2px 0 0 #8c8c8c; }
.lb-scorecard thead th.goal { background: #f2f2f2; z-index: 2; }
.lb-scorecard th.goal .meta { display: block; font-weight: 400; font-size: 0.85em;
  color: #404040; }
/* Symbol and word; a long word wraps under its symbol instead of widening every month. */
.lb-scorecard td.cell { text-align: center; color: #000000; min-width: 5.5em;
  max-width: 7em; font-size: 0.9em; border-left: 2px solid #ffffff; }
.lb-scorecard td.none { color: #404040; background: #ffffff; }
.lb-scorecard td.now { white-space: nowrap; text-align: right;
  font-variant-numeric: tabular-nums; padding-left: 1em; }
.lb-scorecard .nowrap { white-space: nowrap; }
.lb-sr { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px;
  overflow: hidden; clip: rect(0, 0, 0, 0); white-space: nowrap; border: 0; }
/* On a phone the title and the value now give up width so that a month shows too. */
@media (max-width: 640px) {
  .lb-scorecard table { font-size: 0.8rem; width: auto; }
  .lb-scorecard th.goal { min-width: 7em; max-width: 8.5em; }
  .lb-scorecard td.now { white-space: normal; min-width: 5em; }
}
</style>
"""


@dataclass(frozen=True)
class GoalPage:
    """What the Mål page shows: goals, their status now, the months shown and their history."""

    goals: list[Goal]
    records: dict[str, GoalStatus]
    months: list[str]
    history: dict[str, list[GoalMonth]]
    scorecard: Scorecard

    def goal(self, goal_id: str) -> Goal:
        return next(g for g in self.goals if g.id == goal_id)


def _load(store: Store, chosen: list[str] | None) -> GoalPage:
    goals = list_goals(store)
    # Judges and stores every month not stored yet, so the months below are all there are.
    records = {r.id: r for r in goal_statuses(store)}
    months = scorecard_months(status_months(store), chosen)
    history = goal_history(store, months=months)
    return GoalPage(
        goals, records, months, history, build_scorecard(goals, records, history, months)
    )


@st.cache_data(show_spinner=False, max_entries=8, ttl=600)
def _cached(_store: Store, version: tuple, chosen: tuple[str, ...] | None) -> GoalPage:
    return _load(_store, None if chosen is None else list(chosen))


def goal_page(store: Store, period: Period | None) -> GoalPage:
    """The goals for the page, over the period's months or the newest stored ones.

    Cached until the data, a goal or a budget changes (a cost goal is judged on the budget's
    outcome): choosing a goal's trend reruns the page, and a meeting should not wait for
    every goal to be read again.
    """
    goals_version = tuple(
        (r["id"], str(r["updated_at"])) for r in GoalStore(store.engine).goal_rows()
    )
    budgets_version = tuple(
        (r["project"], r["year"], str(r["updated_at"])) for r in BudgetStore(store.engine).rows()
    )
    version = (store.where, data_version(store), goals_version, budgets_version)
    return _cached(store, version, None if period is None else tuple(period.months()))


# -- the table --------------------------------------------------------------------------


def _cell(cell: ScorecardCell) -> str:
    style = cell.style
    if style is None:
        return (
            f'<td class="cell none" title="{NO_STATUS_LABEL}">'
            f'<span aria-hidden="true">{NO_STATUS_TEXT}</span>'
            f'<span class="lb-sr">{NO_STATUS_LABEL}</span></td>'
        )
    return (
        f'<td class="cell" style="background:{style.colour};color:{style.on_colour}" '
        f'title="{html.escape(style.word)}"><span aria-hidden="true">{style.symbol}</span> '
        f"{html.escape(style.word)}</td>"
    )


def _value_now(text: str) -> str:
    """The value now, breakable only before its basis or a date: "87,6 %" and "(204 av 233)"
    each stay whole when a narrow screen wraps the column."""
    parts = re.split(r" (?=\(|\d{4}-\d{2}-\d{2})", text)
    return " ".join(f'<span class="nowrap">{html.escape(part)}</span>' for part in parts)


def scorecard_html(card: Scorecard, caption: str) -> str:
    """The scorecard as an HTML table; text from goal files is escaped."""
    head = "".join(f'<th scope="col">{html.escape(m)}</th>' for m in card.months)
    rows = []
    for period, period_rows in card.by_period():
        for row in period_rows:
            meta = f"{row.project} · {period}"
            cells = "".join(_cell(c) for c in row.cells)
            rows.append(
                f'<tr><th scope="row" class="goal">{html.escape(row.title)} '
                f'<span class="meta">{html.escape(meta)}</span></th>{cells}'
                f'<td class="now">{_value_now(row.value_now)}</td></tr>'
            )
    return (
        f'{_CSS}<div class="lb-scorecard" role="region" tabindex="0" '
        f'aria-label="{html.escape(caption)}"><table>'
        # The caption is for screen readers: on screen the heading and text above say it,
        # and a visible caption would scroll out of view with the first months.
        f'<caption class="lb-sr">{html.escape(caption)}</caption>'
        f'<thead><tr><th scope="col" class="goal">Mål</th>{head}'
        f'<th scope="col">{VALUE_NOW}</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _caption(page: GoalPage, period: Period | None) -> str:
    if period is not None:
        return f"Målen månad för månad, {period.label}"
    return f"Målen månad för månad, de senaste {len(page.months)} månaderna med sparad status"


def show_scorecard(page: GoalPage, period: Period | None) -> None:
    """The table, what it means, and its download."""
    card = page.scorecard
    if not card.months:
        st.info("Ingen månad har en sparad status ännu.", icon=":material/calendar_month:")
        return
    if period is None and len(card.months) == DEFAULT_MONTHS:
        intro = f"De senaste {DEFAULT_MONTHS} rapportmånaderna med sparad status."
    elif period is None:
        intro = "Alla rapportmånader med sparad status."
    else:
        intro = f"Rapportmånaderna under {period.label} (perioden i sidopanelen)."
    st.markdown(
        f"{intro} Varje ruta är den status som sparades när månaden bedömdes; en senare "
        f"ändring av målet ändrar den inte. En ruta med {NO_STATUS_TEXT} har ingen sparad "
        f"status. *{VALUE_NOW}* är värdet i den senaste exporten, bedömt med målets "
        "nuvarande definition. Får inte alla månader plats rullar tabellen i sidled; den "
        "börjar vid de senaste."
    )
    st.html(scorecard_html(card, _caption(page, period)))
    with st.expander("Tabellen som nedladdning"):
        show_table(card.table(VALUE_NOW), "Målen månad för månad", key="scorecard")


# -- one goal's trend ---------------------------------------------------------------------


def choose_goal(page: GoalPage) -> str | None:
    """The goal whose trend is open: chosen in a list that works by keyboard too."""
    titles = {
        row.goal_id: f"{row.title} ({row.project}, {row.period})" for row in page.scorecard.rows
    }
    return st.selectbox(
        "Öppna ett måls trend",
        list(titles),
        index=None,
        format_func=titles.__getitem__,
        placeholder="Välj ett mål i listan",
        key=TREND_KEY,
        help="Målets värde per månad med dess gröna och gula zon och styrelsens beslut.",
    )


def show_trend(store: Store, page: GoalPage, goal_id: str, *, meeting_mode: bool) -> None:
    """The chosen goal's metric per month on its zones, its months as a table, its decisions."""
    goal = page.goal(goal_id)
    trend = goal_trend(
        goal, page.history.get(goal_id, []), goal_changes(store, goal_id), page.months
    )
    st.subheader(f"Trend: {escape_markdown(goal.title)}")
    if trend.qualitative:
        st.info(NO_METRIC_TEXT, icon=":material/edit_note:")
        show_table(trend.table(), "Målets månader", key="goal_trend")
    else:
        figure = goal_trend_chart(
            trend.points,
            trend.zones,
            trend.decisions,
            value_label=trend.value_label,
            value_kind=trend.value_kind,
            title=goal.title,
            font_size=chart_font_size(meeting_mode),
            notes=(ZONES_NOTE,) if trend.zones else (),
        )
        show_chart(
            figure,
            trend.table(),
            "Målets trend",
            alt=_alt(trend),
            key="goal_trend",
        )
    _decisions(trend)


def _alt(trend: GoalTrend) -> str:
    return (
        f"Linjediagram: {(trend.value_label or '').lower()} per rapportmånad för målet, med "
        "målets gröna och gula zon som band och styrelsens beslut som lodräta streck. "
        "Tabellen under diagrammet har samma uppgifter."
    )


def _decisions(trend: GoalTrend) -> None:
    if not trend.decisions:
        st.markdown(
            "Inga beslut om målets nivå har loggats: målvärdet är detsamma som när målet sattes."
        )
        return
    lines = [
        f"- {d.day.isoformat()} **{d.label}:** {escape_markdown(d.text)}" for d in trend.decisions
    ]
    st.markdown("**Beslut om målet**\n\n" + "\n".join(lines))
