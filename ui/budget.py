"""Streamlit glue for budgets: the admin form on the Mål page and the Ekonomi page's parts.

The budget service checks the role again on every change; the form is only drawn for
those who may change budgets.
"""

from __future__ import annotations

from datetime import date

import polars as pl
import streamlit as st

from access.roles import AccessDenied, Action, can
from budgets.model import FIELD_LABELS, Budget
from budgets.service import (
    BudgetDefinitionError,
    budget_changes,
    cost_figures_for,
    list_budgets,
    projects_with_data,
    remove_budget,
    save_budget,
)
from charts.costs import budget_outcome_bars
from metrics.costs import COST_METRICS, SELF_SUFFICIENT_NOTE
from metrics.protection import SUPPRESSION_THRESHOLD
from presentation.costs import (
    SOURCE_WORDS,
    ProjectCosts,
    amount_text,
    basis_text,
    budget_outcome_frame,
    budget_outcome_table,
    cost_table,
    cost_text,
    project_costs,
    source_sentence,
)
from store import Store
from ui.identity import acting_user
from ui.layout import show_chart, show_table
from ui.state import data_version, load_snapshots
from ui.text import escape_markdown

_FLASH = "budget_flash"
NEW_ENTRY = "__new__"
#: How many of the newest budget changes the admin panel lists.
CHANGES_SHOWN = 20

HIDDEN_TEXT = (
    f"”<{SUPPRESSION_THRESHOLD}” betyder färre än {SUPPRESSION_THRESHOLD} deltagare; ”dold” "
    "betyder att antalet döljs för att ett litet "
    "tal inte ska kunna räknas fram. En kostnad döljs när antalet den delas med döljs: annars "
    "kan vem som helst räkna fram antalet ur beloppet."
)
HOW_TO_RECORD = (
    "En administratör lägger in budget och utfall per insats och år på sidan **Mål**, under "
    "*Administrera budget och utfall*, eller läser in en fil med "
    "`python cli.py budget import budget.toml` (se README, avsnittet Budget och kostnad "
    "per deltagare)."
)


# -- the Ekonomi page -------------------------------------------------------------------


def budgets_key(store: Store) -> tuple[Budget, ...]:
    """The entries as they are now: part of the cache key of the costs."""
    return tuple(list_budgets(store))


@st.cache_data(show_spinner=False, max_entries=32)
def _costs(
    _store: Store,
    version: tuple,
    entries: tuple[Budget, ...],
    year: int,
    as_of: str | None,
    threshold: int,
) -> pl.DataFrame:
    return cost_figures_for(
        _store, year, as_of=as_of, snapshots=load_snapshots(), threshold=threshold
    )


def year_costs(store: Store, year: int, as_of: str | None = None) -> list[ProjectCosts]:
    """Each insats's costs for ``year`` as of the report month ``as_of`` (None: the newest
    exports), cached by the data, the entries, the year and the month."""
    frame = _costs(
        store, data_version(store), budgets_key(store), year, as_of, SUPPRESSION_THRESHOLD
    )
    return project_costs(frame)


def show_project(item: ProjectCosts) -> None:
    """One insats's year: amounts, which the cost is, and the three costs with their n."""
    with st.container(border=True):
        st.markdown(f"#### {escape_markdown(item.project)}, {item.year}")
        amounts = st.columns(3)
        # Short values in the tiles (a long one is cut off); the sentence under them says
        # what a dash means.
        amounts[0].metric("Budget", amount_text(item.budget_sek, "–"))
        amounts[1].metric("Utfall", amount_text(item.outcome_sek, "–"))
        amounts[2].metric("Kostnaden räknas på", SOURCE_WORDS.get(item.cost_source or "", "–"))
        st.markdown(source_sentence(item.cost_source))
        note = item.basis_note()
        if note and not item.has_data:
            st.warning(escape_markdown(note), icon=":material/warning:")
        elif note:
            st.info(escape_markdown(note), icon=":material/info:")
        if not item.has_data:
            return
        tiles = st.columns(len(COST_METRICS))
        for tile, metric in zip(tiles, COST_METRICS.values(), strict=True):
            row = item.row(metric.id)
            if row is None:
                continue
            # "Kostnad per avslutad": the catalogue's longer label is cut off in meeting mode.
            tile.metric(f"Kostnad {metric.per}", cost_text(row), help=metric.definition)
            tile.markdown(escape_markdown(basis_text(row)))


def show_costs(items: list[ProjectCosts], year: int, font_size: int) -> None:
    """Every insats's costs for the year, the note, the chart and the table."""
    st.markdown(f"**Obs:** {SELF_SUFFICIENT_NOTE}")
    for item in items:
        show_project(item)
    if any(row.get("suppressed") for item in items for row in item.rows):
        st.caption(HIDDEN_TEXT)
    st.subheader(f"Budget och utfall {year}")
    chart_frame = budget_outcome_frame(items)
    show_chart(
        budget_outcome_bars(
            chart_frame, title="Per insats, i miljoner kronor", font_size=font_size
        ),
        budget_outcome_table(chart_frame),
        f"Budget och utfall {year}",
        alt=f"Liggande staplar: budget och utfall per insats {year}, i kronor.",
        key=f"budget_outcome_{year}",
    )
    st.subheader(f"Kostnad per deltagare {year}")
    show_table(cost_table(items), f"Kostnad per deltagare {year}", key=f"costs_{year}")


# -- the admin panel on the Mål page ------------------------------------------------------


def _flash() -> None:
    message = st.session_state.pop(_FLASH, None)
    if message:
        st.success(escape_markdown(message))


def _done(message: str) -> None:
    st.session_state[_FLASH] = message
    st.rerun()


def _entry_label(entry: Budget, with_data: set[str]) -> str:
    flag = "" if entry.project in with_data else " (ingen inläst export)"
    return f"{entry.project} {entry.year}{flag}"


def entries_table(entries: list[Budget], with_data: set[str]) -> pl.DataFrame:
    """The stored entries with Swedish headers; an insats without data is flagged."""
    return pl.DataFrame(
        {
            "Insats": [e.project for e in entries],
            "År": [str(e.year) for e in entries],
            "Budget": [amount_text(e.budget_sek, "–") for e in entries],
            "Utfall": [amount_text(e.outcome_sek, "–") for e in entries],
            "Data": ["finns" if e.project in with_data else "ingen inläst export" for e in entries],
        },
        schema=dict.fromkeys(["Insats", "År", "Budget", "Utfall", "Data"], pl.String),
    )


def changes_table(store: Store) -> pl.DataFrame:
    """The newest logged budget changes: who, when, insats, year, field, old, new."""
    from access.audit import LOCAL_TIME

    rows = budget_changes(store)[:CHANGES_SHOWN]
    return pl.DataFrame(
        {
            "Tid": [r["at"].astimezone(LOCAL_TIME).strftime("%Y-%m-%d %H:%M") for r in rows],
            "Vem": [r["actor"] for r in rows],
            "Insats": [r["project"] for r in rows],
            "År": [str(r["year"]) for r in rows],
            "Fält": [FIELD_LABELS.get(r["field"], r["field"]) for r in rows],
            "Före": [amount_text(_int(r["old"]), "–") for r in rows],
            "Efter": [amount_text(_int(r["new"]), "–") for r in rows],
        },
        schema=dict.fromkeys(["Tid", "Vem", "Insats", "År", "Fält", "Före", "Efter"], pl.String),
    )


def _int(text: str | None) -> int | None:
    return None if text is None else int(text)


def _amount_input(label: str, value: int | None, key: str) -> int | None:
    entered = st.number_input(
        label, min_value=0, value=value, step=10_000, format="%d", key=key, placeholder="–"
    )
    return None if entered is None else int(entered)


def _entry_form(key: str, entry: Budget | None, projects: list[str]) -> Budget | None:
    """The fields of an entry, when the form is sent."""
    this_year = date.today().year
    with st.form(key):
        project = st.text_input(
            "Insats (som i exportens kolumn insats)",
            value=entry.project if entry else (projects or [""])[0],
            disabled=entry is not None,
            key=f"{key}_project",
        )
        year = st.number_input(
            "År",
            min_value=1900,
            max_value=2100,
            value=entry.year if entry else this_year,
            step=1,
            format="%d",
            disabled=entry is not None,
            key=f"{key}_year",
        )
        cols = st.columns(2)
        with cols[0]:
            budget = _amount_input("Budget (kr)", entry.budget_sek if entry else None, f"{key}_b")
        with cols[1]:
            outcome = _amount_input(
                "Utfall (kr), när året är slut", entry.outcome_sek if entry else None, f"{key}_o"
            )
        st.markdown(
            "Belopp i hela kronor. Lämna utfallet tomt tills det är känt: då räknas "
            "kostnaden per deltagare på budgeten. Ändringen loggas."
        )
        if not st.form_submit_button("Spara budget och utfall"):
            return None
    return Budget(project.strip(), int(year), budget, outcome)


def _submit(store: Store, entry: Budget, with_data: set[str]) -> None:
    try:
        saved, changed = save_budget(store, entry, acting_user())
    except BudgetDefinitionError as exc:
        st.error(escape_markdown("Sparades inte. " + " ".join(exc.messages)))
        return
    except AccessDenied as exc:
        st.error(escape_markdown(exc), icon=":material/block:")
        return
    if not changed:
        st.info("Inget ändrades: beloppen var redan desamma.", icon=":material/info:")
        return
    flag = "" if saved.project in with_data else " Obs: det finns ingen inläst export för insatsen."
    _done(f"Budget och utfall för {saved.project} {saved.year} är sparade.{flag}")


def budget_admin(store: Store, projects: list[str]) -> None:
    """Record, change and remove budgets and outcomes; every change is logged.

    Shown only to those who may change budgets (administrators)."""
    if not can(acting_user(), Action.BUDGET_EDIT):
        return
    _flash()
    entries = list_budgets(store)
    with_data = projects_with_data(store)
    known = sorted(with_data | set(projects))
    with st.expander("Administrera budget och utfall", icon=":material/payments:"):
        st.markdown(
            "Budget och utfall per insats och år, i hela kronor. De ger kostnaden per "
            "deltagare på sidan **Ekonomi** och i mötesunderlaget."
        )
        labels = {f"{e.project}|{e.year}": _entry_label(e, with_data) for e in entries}
        choice = st.selectbox(
            "Post",
            [NEW_ENTRY, *labels],
            format_func=lambda k: "Ny post" if k == NEW_ENTRY else labels[k],
            key="budget_entry",
        )
        entry = (
            None
            if choice == NEW_ENTRY
            else next(e for e in entries if f"{e.project}|{e.year}" == choice)
        )
        form_key = "budget_new" if entry is None else f"budget_edit_{choice}"
        values = _entry_form(form_key, entry, known)
        if values is not None:
            _submit(store, values, with_data)
        if entry is not None:
            _remove_form(store, entry)
        if entries:
            st.markdown("**Registrerade poster**")
            show_table(entries_table(entries, with_data), "Budget och utfall", key="budgets")
        changes = changes_table(store)
        if changes.height:
            st.markdown("**Senaste ändringarna** (finns också på sidan Logg)")
            show_table(changes, "Ändringar av budget och utfall", key="budget_changes")


def _remove_form(store: Store, entry: Budget) -> None:
    with st.form(f"budget_remove_{entry.project}|{entry.year}"):
        st.markdown(f"Ta bort posten för {escape_markdown(entry.project)} {entry.year}?")
        confirmed = st.checkbox("Ja, posten ska bort (det loggas vad den innehöll)")
        if st.form_submit_button("Ta bort posten"):
            if not confirmed:
                st.error("Kryssa i rutan för att ta bort posten.")
                return
            try:
                remove_budget(store, entry.project, entry.year, acting_user())
            except AccessDenied as exc:
                st.error(escape_markdown(exc), icon=":material/block:")
                return
            st.session_state.pop("budget_entry", None)
            _done(f"Posten för {entry.project} {entry.year} är borttagen.")
