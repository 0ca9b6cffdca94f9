"""What the upload page needs: checking with progress, importing, and the import history.

The page calls the same `ingest` and `store.importer` functions as `cli.py import`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl
import streamlit as st

from access.roles import AccessDenied, User
from ingest import ValidationOutcome, read_and_validate, resolve_report_month
from ingest.limits import UPLOAD_LIMITS
from store import Store, StoreError
from store.importer import ImportOutcome, import_export
from ui.state import imports_frame

if TYPE_CHECKING:
    from ingest.mapping import Mapping

STATUS_LABELS = {"current": "Aktuell", "replaced": "Ersatt"}


@dataclass(frozen=True)
class CheckedUpload:
    sha256: str
    outcome: ValidationOutcome
    summary: str
    mapping_json: str = ""  # the mapping the file was read through, if any


@dataclass(frozen=True)
class UploadResult:
    file_name: str
    outcome: ImportOutcome
    #: The user confirmed that a name close to a known project is a new project.
    new_project: bool = False


def _progress_callback(bar):
    def report(fraction: float, step: str) -> None:
        bar.progress(min(max(fraction, 0.0), 1.0), text=step)

    return report


def _summary(outcome: ValidationOutcome) -> str:
    cases = outcome.cases
    projects = sorted(cases["project"].unique().to_list()) if cases is not None else []
    rows = cases.height if cases is not None else 0
    return (
        f"Filen klarade kontrollen: {rows} rader, insats {', '.join(projects)}. "
        "Inga personuppgifter hittades."
    )


def validate_upload(data: bytes, file_name: str, mapping: Mapping | None = None) -> CheckedUpload:
    """Check a file once per content (and mapping); later reruns reuse the result.

    The upload limits (size, rows, unpacked size) are checked again here, before the file
    is read, whatever the server's own upload limit is set to.
    """
    sha256 = hashlib.sha256(data).hexdigest()
    mapping_json = mapping.to_json() if mapping is not None else ""
    cached: CheckedUpload | None = st.session_state.get("checked_upload")
    if cached is not None and cached.sha256 == sha256 and cached.mapping_json == mapping_json:
        return cached
    bar = st.progress(0.0, text="Läser filen …")
    outcome = read_and_validate(
        data, file_name, progress=_progress_callback(bar), limits=UPLOAD_LIMITS, mapping=mapping
    )
    bar.empty()
    checked = CheckedUpload(sha256, outcome, _summary(outcome) if outcome.ok else "", mapping_json)
    st.session_state["checked_upload"] = checked
    st.session_state.pop("upload_result", None)
    return checked


def suggested_month(outcome: ValidationOutcome, file_name: str) -> str | None:
    month, _error = resolve_report_month(None, outcome, file_name)
    return month


def problems_table(outcome: ValidationOutcome) -> pl.DataFrame:
    """One row per broken rule, with the rows as Excel numbers them and masked examples."""
    return pl.DataFrame(
        {
            "Fel": [p.message for p in outcome.problems],
            "Kolumn": [p.column or "" for p in outcome.problems],
            "Antal rader": [p.count for p in outcome.problems],
            "Rader (som i Excel)": [", ".join(map(str, p.rows)) for p in outcome.problems],
            "Exempel": [", ".join(p.examples) for p in outcome.problems],
        },
        schema={
            "Fel": pl.String,
            "Kolumn": pl.String,
            "Antal rader": pl.Int64,
            "Rader (som i Excel)": pl.String,
            "Exempel": pl.String,
        },
    )


def run_import(
    store: Store,
    data: bytes,
    checked: CheckedUpload,
    file_name: str,
    month: str | None,
    *,
    replace: bool,
    user: User,
    new_project: bool = False,
) -> UploadResult:
    """Import the checked file as ``user``; a refusal for lack of role comes back as a
    refused outcome with its Swedish message (it is already in the log), and so does a
    database that refuses (locked, read-only, disk full: ``StoreUnavailable``)."""
    bar = st.progress(0.0, text="Importerar …")
    try:
        outcome = import_export(
            store,
            data,
            file_name,
            month=month,
            replace=replace,
            actor=user,
            progress=_progress_callback(bar),
            checked=checked.outcome,
            limits=UPLOAD_LIMITS,
            new_project=new_project,
        )
    except (AccessDenied, StoreError) as exc:
        outcome = ImportOutcome("refused", str(exc), None)
    finally:
        bar.empty()
    return UploadResult(file_name, outcome, new_project)


def history_table() -> pl.DataFrame:
    """The import history as users read it, newest first."""
    return imports_frame().select(
        pl.col("id").alias("Import"),
        pl.col("project").alias("Insats"),
        pl.col("report_month").alias("Månad"),
        pl.col("rows").alias("Rader"),
        pl.col("status").replace_strict(STATUS_LABELS, default=pl.col("status")).alias("Status"),
        pl.col("file_name").alias("Fil"),
        pl.col("imported_by").alias("Importerad av"),
        pl.col("imported_at")
        .dt.convert_time_zone("Europe/Stockholm")
        .dt.strftime("%Y-%m-%d %H:%M")
        .alias("Importerad"),
    )


def restorable_imports(store: Store) -> dict[int, str]:
    """Replaced imports that can be made current again, labelled for a select box."""
    return {
        r.id: f"Import {r.id}: {r.project} {r.report_month}, {r.file_name} ({r.rows} rader)"
        for r in store.history()
        if r.status == "replaced"
    }
