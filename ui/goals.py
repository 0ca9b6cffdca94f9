"""Streamlit glue for the Mål page: goal cards with status, history, and the admin forms.

Colour is never alone: every status is drawn as colour, symbol and word (WCAG 1.4.1).
"""

from __future__ import annotations

import html
from datetime import date
from typing import Any

import streamlit as st

from access.roles import AccessDenied, Action, User, can
from charts.palette import goal_status_style
from goals.model import (
    DIRECTION_LABELS,
    DIRECTIONS,
    KIND_LABELS,
    MANUAL_STATUSES,
    STATUS_LABELS,
    STYLE_IDS,
    Goal,
)
from goals.records import GoalMonth, GoalStatus
from goals.service import (
    create_goal,
    edit_goal,
    goal_history,
    goal_statuses,
    list_goals,
    remove_goal,
    set_manual_status,
)
from goals.text import filter_text, target_text, value_text
from goals.toml_io import GoalDefinitionError, goal_from_mapping
from metrics.catalogue import SNAPSHOT_METRICS
from metrics.costs import COST_METRICS, any_metric
from store import Store
from ui.identity import acting_user
from ui.text import escape_markdown

HISTORY_MONTHS = 6
_FLASH = "goals_flash"


def actor() -> User:
    """Who is making a change: the session's user, whose roles the goal service checks."""
    return acting_user()


def badge_html(status: str) -> str:
    style = goal_status_style(STYLE_IDS[status])
    return (
        f'<span style="background:{style.colour};color:{style.on_colour};padding:0.1em 0.5em;'
        f'border-radius:0.4em;white-space:nowrap">{html.escape(style.badge)}</span>'
    )


def goal_view(
    store: Store,
) -> tuple[list[Goal], dict[str, GoalStatus], dict[str, list[GoalMonth]]]:
    """Goals, their status now and their monthly history."""
    goals = list_goals(store)
    records = {r.id: r for r in goal_statuses(store)}
    return goals, records, goal_history(store, last=HISTORY_MONTHS)


def show_goal(goal: Goal, record: GoalStatus, history: list[GoalMonth]) -> None:
    with st.container(border=True):
        st.markdown(
            f"{badge_html(record.status)} **{escape_markdown(goal.title)}**",
            unsafe_allow_html=True,
        )
        details = [f"Insats: {goal.project}"]
        if goal.filters:
            details.append(filter_text(goal))
        if record.month:
            details.append(f"Rapportmånad {record.month}")
        st.markdown(escape_markdown(" · ".join(details)))
        if goal.kind == "measured" and goal.metric is not None:
            metric = any_metric(goal.metric)
            st.markdown(
                f"**{metric.label}:** {value_text(goal, record)} — mål: {target_text(goal)}"
            )
            st.markdown(f"Definition: {metric.definition}")
        elif goal.assessed is not None:
            st.markdown(f"Bedömt {goal.assessed.isoformat()}")
        if goal.description:
            st.markdown(escape_markdown(goal.description))
        if goal.comment:
            st.markdown(f"Kommentar: {escape_markdown(goal.comment)}")
        if goal.removed is not None:
            st.markdown(
                f"**Utgått {goal.removed.isoformat()}.** Beslut: {escape_markdown(goal.decision)}"
            )
        if history:
            recent = history[-HISTORY_MONTHS:]
            st.markdown(
                "Senaste månaderna: "
                + " ".join(f"{h.month} {badge_html(h.status)}" for h in recent),
                unsafe_allow_html=True,
            )


def show_goals(
    goals: list[Goal], records: dict[str, GoalStatus], history: dict[str, list[GoalMonth]]
) -> None:
    """Goals grouped by period, in the order the periods first appear."""
    periods = list(dict.fromkeys(g.period for g in goals))
    for period in periods:
        st.subheader(escape_markdown(period))
        for goal in (g for g in goals if g.period == period):
            show_goal(goal, records[goal.id], history.get(goal.id, []))


# -- administration -------------------------------------------------------------------


def _flash() -> None:
    message = st.session_state.pop(_FLASH, None)
    if message:
        st.success(escape_markdown(message))


def _done(message: str) -> None:
    st.session_state[_FLASH] = message
    st.rerun()


def _threshold(kind: str, low: float, high: float) -> Any:
    return [low, high] if kind == "within" else low


def _goal_form(key: str, goal: Goal | None, projects: list[str]) -> dict[str, Any] | None:
    """The fields of a goal as TOML-style keys, when the form is sent."""
    with st.form(key):
        goal_id = st.text_input(
            "Id (bokstäver, siffror och bindestreck)",
            value=goal.id if goal else "",
            disabled=goal is not None,
        )
        project = st.text_input("Insats", value=goal.project if goal else (projects or [""])[0])
        period = st.text_input("Period", value=goal.period if goal else "Huvudmål")
        title = st.text_input("Mål", value=goal.title if goal else "")
        description = st.text_area("Beskrivning", value=goal.description if goal else "")
        kind = st.radio(
            "Typ",
            list(KIND_LABELS),
            format_func=KIND_LABELS.__getitem__,
            index=list(KIND_LABELS).index(goal.kind) if goal else 0,
            horizontal=True,
        )
        # A period figure cannot be judged month by month; a cost is judged on its year.
        metrics = [*SNAPSHOT_METRICS, *COST_METRICS]
        metric = st.selectbox(
            "Mått (för mätbara mål)",
            metrics,
            index=metrics.index(goal.metric) if goal and goal.metric else 0,
            format_func=lambda m: any_metric(m).label,
        )
        direction = st.selectbox(
            "Riktning",
            list(DIRECTIONS),
            index=list(DIRECTIONS).index(goal.direction) if goal and goal.direction else 0,
            format_func=DIRECTION_LABELS.__getitem__,
        )
        st.markdown("Andelar anges som decimaltal: 0,9 betyder 90 %.")
        target = goal.target if goal else None
        yellow = goal.yellow if goal else None
        cols = st.columns(4)
        target_low = cols[0].number_input(
            "Målvärde (lägst)", value=_low(target, 1.0), format="%g", key=f"{key}_target"
        )
        target_high = cols[1].number_input(
            "Målvärde, övre (inom)", value=_high(target, 1.0), format="%g", key=f"{key}_target_hi"
        )
        yellow_low = cols[2].number_input(
            "Gul gräns (lägst)", value=_low(yellow, 0.9), format="%g", key=f"{key}_yellow"
        )
        yellow_high = cols[3].number_input(
            "Gul gräns, övre (inom)", value=_high(yellow, 1.0), format="%g", key=f"{key}_yellow_hi"
        )
        municipalities = st.text_input(
            "Bara dessa kommuner (kommaseparerat, tomt = alla)",
            value=", ".join(goal.filters.get("kommun", ())) if goal else "",
        )
        if not st.form_submit_button("Spara målet"):
            return None
    values: dict[str, Any] = {
        "id": goal_id,
        "project": project,
        "period": period,
        "title": title,
        "description": description,
        "kind": kind,
    }
    if kind == "measured":
        values.update(
            metric=metric,
            direction=direction,
            target=_threshold(direction, target_low, target_high),
            yellow=_threshold(direction, yellow_low, yellow_high),
        )
    if goal is not None:
        # What the form does not show is kept as it was.
        for header, chosen in goal.filters.items():
            if header != "kommun":
                values[header] = list(chosen)
        if goal.kind == kind == "manual":
            values.update(status=goal.status, assessed=goal.assessed)
        values.update(comment=goal.comment, removed=goal.removed, decision=goal.decision)
    chosen_municipalities = [m.strip() for m in municipalities.split(",") if m.strip()]
    if chosen_municipalities:
        values["kommun"] = chosen_municipalities
    return {k: v for k, v in values.items() if v not in (None, "")}


def _low(value: Any, default: float) -> float:
    if isinstance(value, tuple):
        return float(value[0])
    return default if value is None else float(value)


def _high(value: Any, default: float) -> float:
    if isinstance(value, tuple):
        return float(value[1])
    return default


def _submit_goal(store: Store, values: dict[str, Any], *, new: bool) -> None:
    goal, problems = goal_from_mapping(values)
    if goal is None:
        st.error(escape_markdown("Målet sparades inte: " + "; ".join(problems) + "."))
        return
    try:
        (create_goal if new else edit_goal)(store, goal, actor())
    except GoalDefinitionError as exc:
        st.error(escape_markdown(" ".join(exc.messages)))
        return
    except AccessDenied as exc:
        st.error(escape_markdown(exc), icon=":material/block:")
        return
    _done(f"Målet ”{goal.title}” är sparat.")


def admin_panel(store: Store, goals: list[Goal], projects: list[str]) -> None:
    """Create, edit, judge and remove goals; every change is logged with who and when.

    Shown only to those who may edit goals; the goal service checks the role again."""
    if not can(actor(), Action.GOAL_EDIT):
        return
    _flash()
    with st.expander("Administrera", icon=":material/edit:"):
        new_tab, edit_tab, status_tab, remove_tab = st.tabs(
            ["Nytt mål", "Ändra mål", "Sätt status", "Ta bort"]
        )
        titles = {g.id: f"{g.title} ({g.project}, {g.period})" for g in goals}
        with new_tab:
            values = _goal_form("goal_new", None, projects)
            if values is not None:
                _submit_goal(store, values, new=True)
        with edit_tab:
            if goals:
                chosen = st.selectbox(
                    "Mål att ändra", list(titles), format_func=titles.__getitem__, key="goal_edit"
                )
                goal = next(g for g in goals if g.id == chosen)
                st.markdown(
                    "En ändring gäller från nästa månad som bedöms; redan bedömda månader "
                    "behåller sin status. Ändringen loggas."
                )
                values = _goal_form(f"goal_edit_{chosen}", goal, projects)
                if values is not None:
                    _submit_goal(store, values, new=False)
        with status_tab:
            _status_form(store, [g for g in goals if g.kind == "manual"], titles)
        with remove_tab:
            _remove_form(store, [g for g in goals if not g.is_removed], titles)


def _status_form(store: Store, manual: list[Goal], titles: dict[str, str]) -> None:
    if not manual:
        st.write("Det finns inga mål som bedöms manuellt.")
        return
    with st.form("goal_status"):
        chosen = st.selectbox(
            "Mål", [g.id for g in manual], format_func=titles.__getitem__, key="goal_status_id"
        )
        status = st.radio(
            "Status",
            list(MANUAL_STATUSES),
            format_func=lambda s: goal_status_style(STYLE_IDS[s]).badge,
            horizontal=True,
        )
        comment = st.text_area("Kommentar")
        assessed = st.date_input("Bedömt", value=date.today(), format="YYYY-MM-DD")
        if st.form_submit_button("Spara bedömningen"):
            try:
                set_manual_status(store, chosen, status, comment, assessed, actor())
            except GoalDefinitionError as exc:
                st.error(escape_markdown(" ".join(exc.messages)))
                return
            except AccessDenied as exc:
                st.error(escape_markdown(exc), icon=":material/block:")
                return
            _done(f"Bedömningen är sparad: {STATUS_LABELS[status]}.")


def _remove_form(store: Store, active: list[Goal], titles: dict[str, str]) -> None:
    if not active:
        st.write("Alla mål är redan borttagna.")
        return
    with st.form("goal_remove"):
        chosen = st.selectbox(
            "Mål", [g.id for g in active], format_func=titles.__getitem__, key="goal_remove_id"
        )
        removed = st.date_input("Beslutsdatum", value=date.today(), format="YYYY-MM-DD")
        decision = st.text_area("Beslut (visas vid målet)")
        if st.form_submit_button("Ta bort målet"):
            if not decision.strip():
                st.error("Skriv beslutet: ett borttaget mål visas med sitt beslut.")
                return
            try:
                remove_goal(store, chosen, removed, decision, actor())
            except AccessDenied as exc:
                st.error(escape_markdown(exc), icon=":material/block:")
                return
            _done("Målet är borttaget och visas som Utgått.")


def show_summary(store: Store) -> None:
    """For Översikt: how many goals in each colour, and the red ones by name."""
    from goals.service import goals_summary

    summary = goals_summary(store)
    if summary.total == 0:
        st.info("Inga mål är satta ännu.", icon=":material/flag:")
        return
    st.markdown(
        " ".join(
            f"{badge_html(status)} {count}" for status, count in summary.counts.items() if count
        ),
        unsafe_allow_html=True,
    )
    for red in summary.red:
        st.markdown(f"- ✖ {escape_markdown(red.title)} ({escape_markdown(red.project)})")
