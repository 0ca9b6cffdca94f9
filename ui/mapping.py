"""The upload page's mapping step: a project's own sheet mapped once, reused every month.

A file whose headers are exactly those of a saved mapping is read through it, and the page
says so. A file that does not follow the export format opens the mapping step: each of the
file's columns with a few (masked) sample values and a field picker, each coded column's
values with counts and a code picker, a live preview as Lägesbild will read the file, and a
button that saves the mapping for the insats. Changed headers, and values the mapping has
not seen, are shown and the mapping can be extended from there.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from functools import partial
from typing import Literal

import polars as pl
import streamlit as st

from access.roles import AccessDenied, User
from ingest import ValidationOutcome, read_and_validate, schema
from ingest.guard import mask_value
from ingest.limits import UPLOAD_LIMITS
from ingest.mapping import (
    BIRTH_YEAR,
    PROJECT_HEADER,
    TARGET_HEADERS,
    Mapping,
    MappingError,
    allowed_codes,
    header_changes,
    mapping_from_dict,
    reheader,
)
from ingest.reader import RawTable, UnreadableFile, read_table, value_column
from ingest.suggest import SURE, suggest_mapping, suggest_values
from mappings.service import StoredMapping, list_mappings, save_mapping
from mappings.template import build_template
from store import Store

#: Guard rules: a file refused for personal data is not offered a mapping (it cannot help).
_GUARD_RULES = frozenset({"personnummer", "epost", "telefon", "personuppgiftskolumn"})
_SAMPLES = 3
_PREVIEW_ROWS = 10
_BASE_KEY = "mapping_base"
_SAVED_KEY = "mapping_saved"
TEMPLATE_FILE = "lagesbild_mall.xlsx"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Plan:
    """How the uploaded file is to be read."""

    sha256: str
    table: RawTable | None  # the file as the reader gave it (None: unreadable)
    stored: StoredMapping | None = None  # the saved mapping whose headers it has
    similar: StoredMapping | None = None  # a saved mapping whose headers changed
    new_headers: tuple[str, ...] = ()
    gone_headers: tuple[str, ...] = ()

    @property
    def mapping(self) -> Mapping | None:
        return self.stored.mapping if self.stored else None


@st.cache_data(show_spinner=False)
def template_bytes() -> bytes:
    return build_template()


def _folded(headers: list[str]) -> set[str]:
    return {schema.normalize_header(h) for h in headers if h}


def _headers_for(data: bytes, file_name: str, table: RawTable, mapping: Mapping) -> list[str]:
    """The file's headers as ``mapping`` reads them (its sheet, its header row)."""
    try:
        if mapping.sheet is not None:
            table = read_table(data, file_name, UPLOAD_LIMITS, sheet=mapping.sheet)
        return reheader(table, mapping.header_row)[0].headers
    except (UnreadableFile, ValueError):
        return []


def _read(data: bytes, file_name: str, sha256: str) -> RawTable | None:
    """The file as read, once per content (reruns reuse it)."""
    cached = st.session_state.get("mapping_table")
    if cached is not None and cached[0] == sha256:
        return cached[1]
    try:
        table = read_table(data, file_name, UPLOAD_LIMITS)
    except UnreadableFile:
        table = None
    st.session_state["mapping_table"] = (sha256, table)
    return table


def plan_for(store: Store, data: bytes, file_name: str) -> Plan:
    """Find the saved mapping for this file: the one whose headers it has, or else the
    one it shares most headers with (changed headers)."""
    sha256 = hashlib.sha256(data).hexdigest()
    table = _read(data, file_name, sha256)
    if table is None:
        return Plan(sha256, None)
    plan = Plan(sha256, table)
    best = 0.0
    for stored in list_mappings(store):
        headers = _headers_for(data, file_name, table, stored.mapping)
        have, listed = _folded(headers), _folded(list(stored.mapping.columns))
        if have and have == listed:
            plan.stored = stored
            return plan
        overlap = len(have & listed) / max(len(have | listed), 1)
        if overlap >= 0.5 and overlap > best:
            best = overlap
            new, gone = header_changes(stored.mapping, headers)
            plan.similar, plan.new_headers, plan.gone_headers = stored, tuple(new), tuple(gone)
    return plan


def show_plan(plan: Plan) -> None:
    """Say which saved mapping the file is read with, or that its headers changed."""
    if (saved := st.session_state.pop(_SAVED_KEY, None)) is not None:
        st.success(saved, icon=":material/check_circle:")
    if plan.stored is not None:
        st.info(
            f"Filen har samma rubriker som den sparade kopplingen för "
            f"{plan.stored.mapping.project} (version {plan.stored.version}) och läses med den.",
            icon=":material/link:",
        )


def _open_base(plan: Plan) -> Mapping | Literal[False] | None:
    """The mapping the step extends, None for a new one, False when the step is closed."""
    opened = st.session_state.get(_BASE_KEY)
    if opened is None or opened[0] != plan.sha256:
        return False
    return opened[1]


def _open(plan: Plan, base: Mapping | None) -> None:
    st.session_state[_BASE_KEY] = (plan.sha256, base)


def _step_base(plan: Plan, outcome: ValidationOutcome) -> Mapping | Literal[False] | None:
    """The base of the mapping step to show for this refused file, or False for none."""
    if outcome.ok or plan.table is None:
        return False
    if any(p.rule in _GUARD_RULES for p in outcome.problems):
        return False
    base = _open_base(plan)
    fresh = plan.stored is None and plan.similar is None
    if base is False and fresh and any(p.rule == "saknad_kolumn" for p in outcome.problems):
        return None
    return base


def mapping_pending(plan: Plan, outcome: ValidationOutcome) -> bool:
    """True when the mapping step replaces the usual refusal (the plain read's warnings,
    about columns it did not know, then say nothing useful)."""
    return _step_base(plan, outcome) is not False


def open_mapping_step(
    store: Store, user: User, plan: Plan, data: bytes, file_name: str, outcome: ValidationOutcome
) -> bool:
    """Show the mapping step for a refused file when it is open, or open it for a file that
    lacks the format's required columns and has no saved mapping. True when shown."""
    base = _step_base(plan, outcome)
    if base is False:
        return False
    _open(plan, base)
    mapping_step(store, user, plan, data, file_name, base)
    return True


def mapping_offers(plan: Plan, outcome: ValidationOutcome) -> None:
    """Below a refusal: extend the saved mapping with new values, update it for changed
    headers, or map a file whose values are in its own words."""
    if plan.table is None or any(p.rule in _GUARD_RULES for p in outcome.problems):
        return
    if plan.stored is not None:
        project = plan.stored.mapping.project
        if any(p.rule == "nytt_varde" for p in outcome.problems):
            st.info(
                f"Värden som kopplingen för {project} inte känner till kan läggas till i "
                "kopplingen.",
                icon=":material/info:",
            )
            if st.button(f"Utöka kopplingen för {project}", key="mapping_extend"):
                _open(plan, plan.stored.mapping)
                st.rerun()
        return
    if plan.similar is not None:
        project = plan.similar.mapping.project
        new = ", ".join(f"'{mask_value(h)}'" for h in plan.new_headers) or "inga"
        gone = ", ".join(f"'{mask_value(h)}'" for h in plan.gone_headers) or "inga"
        st.warning(
            f"Rubrikerna har ändrats sedan kopplingen för {project} (version "
            f"{plan.similar.version}) sparades. Nya kolumner: {new}. Kolumner som saknas: "
            f"{gone}. Vill du uppdatera kopplingen?",
            icon=":material/warning:",
        )
        if st.button(f"Uppdatera kopplingen för {project}", key="mapping_update"):
            _open(plan, plan.similar.mapping)
            st.rerun()
        return
    own_words = any(p.rule in ("okand_kod", "ej_ja_nej", "ej_datum") for p in outcome.problems)
    if own_words and st.button("Koppla filens kolumner och värden", key="mapping_new"):
        _open(plan, None)
        st.rerun()


def _target_label(target: str) -> str:
    if target == "":
        return "(ignoreras)"
    f = schema.FIELDS_BY_HEADER.get(target)
    if f is not None:
        return f"{f.label} ({target})"
    if target == BIRTH_YEAR:
        return f"Födelseår, ger ålder vid start ({target})"
    return f"Rapportmånad ({target})"


def _code_label(target: str, code: str) -> str:
    if code == "":
        return "(inte kopplat)"
    f = schema.FIELDS_BY_HEADER[target]
    kind = f.label_kind
    if f.kind == "yesno":
        return code
    if f.name in ("step_start", "step_end"):
        return schema.label_for_code("step", code)
    label = schema.label_for_code(kind, code)
    return f"{label} ({code})" if label != code else code


def _sure(confidence: float) -> str:
    if confidence >= 1.0:
        return "säker"
    if confidence >= SURE:
        return f"trolig, {round(confidence * 100)} %"
    if confidence <= 0:
        return "inget förslag"
    return f"osäker, {round(confidence * 100)} %: kontrollera"


def _samples(body: RawTable, index: int, header: str) -> str:
    values = body.frame.get_column(value_column(index)).drop_nulls().unique(maintain_order=True)
    shown = values.head(_SAMPLES).to_list()
    if schema.is_personal_data_header(header):
        return ", ".join("***" for _ in shown)
    return ", ".join(mask_value(v) for v in shown) or "(tom)"


def mapping_step(
    store: Store, user: User, plan: Plan, data: bytes, file_name: str, base: Mapping | None
) -> None:
    """The mapping step itself (see the module's docstring)."""
    assert plan.table is not None
    st.subheader("Koppla filens kolumner")
    st.write(
        "Filen följer inte exportformatet. Tala om en gång vad kolumnerna och deras värden "
        "betyder; nästa månad läses en fil med samma rubriker med den sparade kopplingen. "
        "Förslagen är bara förslag: kontrollera dem, särskilt de osäkra."
    )
    project = st.text_input(
        "Insats som kopplingen gäller",
        value=base.project if base else "",
        key="mapping_project",
        placeholder="t.ex. Vägval",
        help="Insatsen som kopplingen gäller; används som insats på varje rad när filen "
        "saknar en kolumn för den.",
    ).strip()
    first = suggest_mapping(plan.table, project or None, base)
    left, middle, right = st.columns(3)
    header_row = int(
        left.number_input(
            "Rubrikrad", min_value=1, value=first.mapping.header_row, key="mapping_header_row"
        )
    )
    stop = middle.checkbox(
        "Sluta vid första tomma raden",
        value=first.mapping.stop_at_blank_row,
        key="mapping_stop",
        help="Rader efter den första tomma raden (t.ex. en summarad) läses inte.",
    )
    date_format = right.text_input(
        "Datumformat (valfritt)",
        value=first.mapping.date_format or "",
        key="mapping_date_format",
        placeholder="%d/%m/%Y",
    ).strip()
    options = base or Mapping(project=project)
    options = replace(
        options,
        project=project,
        header_row=header_row,
        stop_at_blank_row=stop,
        date_format=date_format or None,
    )
    if (header_row, stop) != (first.mapping.header_row, first.mapping.stop_at_blank_row):
        suggestion = suggest_mapping(plan.table, project or None, options)
    else:
        suggestion = first
    body = suggestion.body
    assert body is not None
    confidence = {c.header: c for c in suggestion.columns}

    st.markdown("**Kolumner**")
    columns: dict[str, str] = {}
    chosen: dict[str, int] = {}
    for index, header in enumerate(body.headers):
        if not header:
            continue
        shown = mask_value(header)
        default = suggestion.mapping.columns.get(header, "")
        proposal = confidence.get(header)
        note = _sure(proposal.confidence) if proposal else "sparad i kopplingen"
        name_column, pick_column = st.columns([2, 3])
        name_column.markdown(f"**{shown}**  \n{_samples(body, index, header)}")
        target = pick_column.selectbox(
            f"Fält för {shown}",
            options=["", *TARGET_HEADERS],
            index=["", *TARGET_HEADERS].index(default),
            format_func=_target_label,
            key=f"mapping_column_{index}",
            help=f"Förslag: {_target_label(default)} ({note}).",
        )
        pick_column.caption(f"Förslag: {_target_label(default)} ({note})")
        columns[header] = target
        if target:
            chosen[target] = index

    values: dict[str, dict[str, str]] = {}
    coded = [t for t in chosen if t in schema.FIELDS_BY_HEADER and allowed_codes(t)]
    if coded:
        st.markdown("**Värden**")
    for target in coded:
        index = chosen[target]
        known = (base.values.get(target) if base else None) or {}
        suggested = suggest_values(body, index, target, known)
        with st.expander(f"{mask_value(body.headers[index])} → {_target_label(target)}", True):
            # Values the saved mapping knows but this month's file lacks are kept.
            picked: dict[str, str] = dict(known)
            codes = ["", *allowed_codes(target)]
            for number, item in enumerate(suggested):
                label = "(tom cell)" if item.value == "" else item.masked
                code = st.selectbox(
                    f"{label} ({item.count} st)",
                    options=codes,
                    index=codes.index(item.code) if item.code in codes else 0,
                    format_func=partial(_code_label, target),
                    key=f"mapping_value_{index}_{target}_{number}",
                    help=f"Förslag: {_sure(item.confidence)}",
                )
                if item.confidence < SURE:
                    guess = _code_label(target, item.code or "")
                    st.caption(f"Förslag: {guess} ({_sure(item.confidence)})")
                picked.pop(item.value, None)
                if code and (code != item.value or item.value == ""):
                    picked[item.value] = code
            if picked:
                values[target] = picked

    constants = dict(options.constants)
    for header in list(constants):
        if header in chosen:
            constants.pop(header)
    if PROJECT_HEADER not in chosen and project:
        constants[PROJECT_HEADER] = project
    draft = replace(options, columns=columns, constants=constants, values=values)
    try:
        mapping = mapping_from_dict(draft.to_dict()) if project else None
    except MappingError as exc:
        mapping = None
        for message in exc.messages:
            st.error(message, icon=":material/error:")

    st.markdown("**Förhandsvisning: så läser Lägesbild filen**")
    if not project:
        st.info("Skriv insatsens namn ovan för att se förhandsvisningen.", icon=":material/info:")
    elif mapping is not None:
        outcome = read_and_validate(data, file_name, limits=UPLOAD_LIMITS, mapping=mapping)
        if outcome.cases is not None:
            st.dataframe(preview_frame(outcome.cases), hide_index=True, width="stretch")
        for warning in outcome.warnings:
            st.caption(warning)
        if outcome.problems:
            st.warning(
                "Med den här kopplingen avvisas filen ännu: "
                + " ".join(p.message for p in outcome.problems[:5]),
                icon=":material/warning:",
            )
    if st.button(
        f"Spara kopplingen för {project or 'insatsen'}",
        type="primary",
        disabled=mapping is None,
        key="mapping_save",
    ):
        assert mapping is not None
        try:
            stored, changed = save_mapping(store, mapping, user)
        except AccessDenied as exc:
            st.error(str(exc), icon=":material/block:")
        else:
            st.session_state.pop(_BASE_KEY, None)
            st.session_state[_SAVED_KEY] = (
                f"Kopplingen för {mapping.project} sparad (version {stored.version})."
                if changed
                else f"Kopplingen för {mapping.project} är oförändrad (version {stored.version})."
            )
            st.rerun()


def preview_frame(cases: pl.DataFrame) -> pl.DataFrame:
    """The first rows of the canonical cases, under the format's Swedish labels."""
    head = cases.head(_PREVIEW_ROWS).select(
        [pl.col(f.name).cast(pl.String).alias(f.label) for f in schema.FIELDS]
    )
    return head.select([c for c in head.columns if head.get_column(c).null_count() < head.height])
