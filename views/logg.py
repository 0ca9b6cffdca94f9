"""Logg: who did what and when (administrators), and gallring of old snapshots."""

from __future__ import annotations

from datetime import date, timedelta

import streamlit as st

from access.audit import audit_frame, read_audit
from access.roles import AccessDenied, Action, can
from imports.service import import_history, purge, purge_plan
from ui.identity import acting_user
from ui.layout import show_table
from ui.state import get_store
from ui.text import escape_markdown

store = get_store()
user = acting_user()
st.title("Logg")
st.write(
    "Varje import, ersättning, återställning, måländring, ändring av budget eller utfall, "
    "gallring, export av mötesunderlaget och nekad åtgärd: vem, när, vad och från vilken fil, "
    "vilket mål eller vilken insats och vilket år."
)
since = st.date_input(
    "Visa poster från och med", value=date.today() - timedelta(days=90), format="YYYY-MM-DD"
)
try:
    # The page is only in the navigation for administrators; checked again here.
    entries = read_audit(store, user, since, target="logg")
except AccessDenied as exc:
    st.error(escape_markdown(exc), icon=":material/block:")
    st.stop()
if entries:
    show_table(audit_frame(entries), "Logg", key="audit")
else:
    st.info("Loggen har inga poster från den dagen.", icon=":material/info:")

st.divider()
st.subheader("Gallring")
st.write(
    "Radera för gott en insats ögonblicksbilder (med alla ärenderader) och målens sparade "
    "månadsstatus från månader som ligger helt före ett datum. Nyare uppgifter rörs inte. "
    "Gallringen loggas."
)
if message := st.session_state.pop("purge_message", None):
    st.success(escape_markdown(message), icon=":material/delete:")
projects = sorted({record.project for record in import_history(store, user, "logg")})
if not projects or not can(user, Action.PURGE):
    st.info("Det finns inga ögonblicksbilder att gallra.", icon=":material/info:")
else:
    project = st.selectbox("Insats", projects, key="purge_project")
    before = st.date_input(
        "Gallra allt före",
        value=date.today().replace(day=1),
        format="YYYY-MM-DD",
        key="purge_before",
    )
    plan = purge_plan(store, user, project, before)
    if plan.is_empty:
        st.info(escape_markdown(plan.describe()), icon=":material/info:")
    else:
        st.warning(
            f"Detta raderas för gott: {escape_markdown(plan.describe())}", icon=":material/warning:"
        )
        confirmed = st.checkbox(
            "Jag förstår att uppgifterna raderas och inte kan återställas", key="purge_confirm"
        )
        if st.button("Gallra", type="primary", disabled=not confirmed):
            try:
                done = purge(store, user, project, before)
            except AccessDenied as exc:
                st.error(escape_markdown(exc), icon=":material/block:")
            else:
                st.session_state["purge_message"] = f"Gallrat: {done.describe()}"
                st.session_state.pop("purge_confirm", None)
                st.rerun()
