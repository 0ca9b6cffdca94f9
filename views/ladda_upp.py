"""Ladda upp: check an export, import it, confirm a replacement, restore an earlier version."""

from __future__ import annotations

import streamlit as st

from access.roles import AccessDenied
from imports.service import restore_import
from store import StoreError
from ui.identity import acting_user
from ui.mapping import (
    TEMPLATE_FILE,
    XLSX_MIME,
    mapping_offers,
    mapping_pending,
    open_mapping_step,
    plan_for,
    show_plan,
    template_bytes,
)
from ui.state import get_store
from ui.text import escape_markdown
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

st.download_button(
    "Ladda ner mall",
    data=template_bytes(),
    file_name=TEMPLATE_FILE,
    mime=XLSX_MIME,
    help="En Excel-mall i exportformatet, med listor för koderna och ett blad som förklarar "
    "varje kolumn. En ifylld mall läses in utan koppling.",
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
    plan = plan_for(store, data, upload.name)
    checked = validate_upload(data, upload.name, mapping=plan.mapping)
    outcome = checked.outcome
    show_plan(plan)
    st.subheader("Förhandsvisning")
    st.markdown(f"De första raderna av {outcome.rows_read} i filen, som de lästes in.")
    st.dataframe(outcome.preview, hide_index=True, width="stretch")

    st.subheader("Kontroll")
    for warning in [] if mapping_pending(plan, outcome) else outcome.warnings:
        st.warning(escape_markdown(warning), icon=":material/warning:")
    if not outcome.ok:
        if not open_mapping_step(store, user, plan, data, upload.name, outcome):
            st.error(
                f"Filen {escape_markdown(outcome.file_name)} kan inte tas emot. Rätta felen "
                "nedan i filen och ladda upp den igen. Inget har sparats.",
                icon=":material/block:",
            )
            st.dataframe(problems_table(outcome), hide_index=True, width="stretch")
            mapping_offers(plan, outcome)
    else:
        st.success(escape_markdown(checked.summary), icon=":material/check_circle:")
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
                st.success(escape_markdown(result.outcome.message), icon=":material/check_circle:")
            elif result.outcome.status == "duplicate":
                st.info(escape_markdown(result.outcome.message), icon=":material/info:")
            elif result.outcome.status in ("needs_new_project", "needs_confirmation"):
                st.warning(escape_markdown(result.outcome.message), icon=":material/warning:")
                replacing = result.outcome.status == "needs_confirmation"
                confirm = st.checkbox(
                    "Jag vill ersätta den befintliga månaden"
                    if replacing
                    else "Det är en ny insats, inget felstavat namn"
                )
                if st.button(
                    "Ersätt" if replacing else "Importera som ny insats", disabled=not confirm
                ):
                    st.session_state["upload_result"] = run_import(
                        store,
                        data,
                        checked,
                        upload.name,
                        month or None,
                        replace=replacing,
                        user=user,
                        new_project=result.new_project if replacing else True,
                    )
                    st.rerun()
            else:
                st.error(escape_markdown(result.outcome.message), icon=":material/block:")

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
        if st.button("Återställ", disabled=choice is None) and choice is not None:
            try:
                record = restore_import(store, user, choice)
            except (AccessDenied, StoreError) as exc:
                st.error(escape_markdown(str(exc)), icon=":material/block:")
            else:
                st.session_state["restore_message"] = (
                    f"Import {record.id} ({record.project} {record.report_month}) är nu aktuell."
                )
                st.rerun()
    if message := st.session_state.pop("restore_message", None):
        st.success(escape_markdown(message), icon=":material/history:")
