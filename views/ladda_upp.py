"""Ladda upp: check an export, import it, confirm a replacement, restore an earlier version."""

from __future__ import annotations

import streamlit as st

from access.identity import acting_user
from access.roles import AccessDenied
from store import StoreError
from ui.state import get_store
from ui.upload import (
    history_table,
    problems_table,
    restorable_imports,
    run_import,
    suggested_month,
    validate_upload,
)

st.title("Ladda upp månadens export")
st.write(
    "Ladda upp insatsens avidentifierade ärendeexport (CSV eller Excel). Filen kontrolleras "
    "först; inget sparas förrän du väljer **Importera**. Filer med personuppgifter "
    "(personnummer, namn, e-post, telefon) tas aldrig emot."
)

store = get_store()
user = acting_user()
upload = st.file_uploader(
    "Exportfil",
    type=["csv", "txt", "xlsx", "xls", "xlsm"],
    help="Rubrikrad överst. Separator ; , eller tabb. UTF-8 eller Windows-1252.",
)

if upload is not None:
    data = upload.getvalue()
    checked = validate_upload(data, upload.name)
    outcome = checked.outcome
    st.subheader("Förhandsvisning")
    st.markdown(f"De första raderna av {outcome.rows_read} i filen, som de lästes in.")
    st.dataframe(outcome.preview, hide_index=True, width="stretch")

    st.subheader("Kontroll")
    for warning in outcome.warnings:
        st.warning(warning, icon=":material/warning:")
    if not outcome.ok:
        st.error(
            f"Filen {upload.name} kan inte tas emot. Rätta felen nedan i filen och ladda upp "
            "den igen. Inget har sparats.",
            icon=":material/block:",
        )
        st.dataframe(problems_table(outcome), hide_index=True, width="stretch")
    else:
        st.success(checked.summary, icon=":material/check_circle:")
        month = st.text_input(
            "Rapportmånad (ÅÅÅÅ-MM)",
            value=suggested_month(outcome, upload.name) or "",
            help="Månaden exporten beskriver. Hämtas från kolumnen rapportmanad eller "
            "filnamnet när det går.",
        )
        if st.button("Importera", type="primary"):
            st.session_state["upload_result"] = run_import(
                store, data, checked, upload.name, month or None, replace=False, user=user
            )
        result = st.session_state.get("upload_result")
        if result is not None and result.file_name == upload.name:
            if result.outcome.status == "imported":
                st.success(result.outcome.message, icon=":material/check_circle:")
            elif result.outcome.status == "duplicate":
                st.info(result.outcome.message, icon=":material/info:")
            elif result.outcome.status == "needs_confirmation":
                st.warning(result.outcome.message, icon=":material/warning:")
                confirm = st.checkbox("Jag vill ersätta den befintliga månaden")
                if st.button("Ersätt", disabled=not confirm):
                    st.session_state["upload_result"] = run_import(
                        store, data, checked, upload.name, month or None, replace=True, user=user
                    )
                    st.rerun()
            else:
                st.error(result.outcome.message, icon=":material/block:")

st.divider()
st.subheader("Importhistorik")
history = history_table()
if history.height == 0:
    st.info("Inga importer ännu.", icon=":material/info:")
else:
    st.dataframe(history, hide_index=True, width="stretch")
    candidates = restorable_imports(store)
    if candidates:
        choice = st.selectbox(
            "Återställ en ersatt version",
            options=list(candidates),
            format_func=lambda import_id: candidates[import_id],
            index=None,
            placeholder="Välj en ersatt import",
        )
        if st.button("Återställ", disabled=choice is None):
            try:
                record = store.restore(choice, actor=user)
            except (AccessDenied, StoreError) as exc:
                st.error(str(exc), icon=":material/block:")
            else:
                st.session_state["restore_message"] = (
                    f"Import {record.id} ({record.project} {record.report_month}) är nu aktuell."
                )
                st.rerun()
    if message := st.session_state.pop("restore_message", None):
        st.success(message, icon=":material/history:")
