"""The import service: one uploaded export from bytes to stored snapshots, or a plain no.

The command line and the upload page both call ``import_export``; it decides what happens
to a file and says so in one Swedish sentence.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from access.roles import Action, User, require
from ingest import ValidationOutcome, mask_value, read_and_validate, resolve_report_month, schema
from ingest.limits import FILE_LIMITS, FileLimits
from ingest.project_names import close_known_name
from store.records import AlreadyImported, ImportRecord, SnapshotExists
from store.store import Store

if TYPE_CHECKING:
    from ingest.mapping import Mapping

ImportStatus = Literal[
    "imported", "duplicate", "needs_confirmation", "needs_new_project", "refused"
]
Progress = Callable[[float, str], None]

#: Share of the progress bar taken by reading and validating; storing takes the rest.
_VALIDATION_SHARE = 0.7


@dataclass
class ImportOutcome:
    """What became of one file."""

    status: ImportStatus
    message: str
    report_month: str | None
    imports: list[ImportRecord] = field(default_factory=list)
    validation: ValidationOutcome | None = None


def import_export(
    store: Store,
    data: bytes,
    file_name: str,
    *,
    actor: User,
    month: str | None = None,
    replace: bool = False,
    progress: Progress | None = None,
    checked: ValidationOutcome | None = None,
    limits: FileLimits = FILE_LIMITS,
    new_project: bool = False,
    mapping: Mapping | None = None,
) -> ImportOutcome:
    """Validate an export and store it as this month's snapshot of each project in it.

    The same bytes twice is a no-op; a month that already has a snapshot is only replaced
    with ``replace=True`` (the old one is kept and can be restored); a refused file stores
    nothing and the refusal is audited without any of the file's content.

    ``checked`` is the outcome of ``read_and_validate`` on these same bytes, when the
    caller already has it (the upload page checks a file before the user imports it), so a
    large file is not read and checked twice.

    A project name the store has never seen but that is close to one it has (``Vägvall``
    beside ``Vägval``) is most likely a slip: the file waits (``needs_new_project``) until
    the caller confirms it as a new project with ``new_project=True``.

    ``actor`` must hold a role that may import (and replace, for ``replace=True``). A
    refusal raises ``AccessDenied``, stores nothing and is logged.

    ``mapping`` reads a project's own sheet through its mapping (``ingest.mapping``).
    """
    target = mask_value(file_name)
    user = require(actor, Action.REPLACE if replace else Action.IMPORT, store, target)
    if replace:
        require(user, Action.IMPORT, store, target)
    report = progress or (lambda fraction, step: None)
    sha256 = hashlib.sha256(data).hexdigest()
    stored = store.imports_with_sha256(sha256)
    if stored:
        report(1.0, "Klart")
        return _duplicate(stored)

    def check(month_to_check: str | None) -> ValidationOutcome:
        return read_and_validate(
            data,
            file_name,
            progress=lambda fraction, step: report(fraction * _VALIDATION_SHARE, step),
            limits=limits,
            month=month_to_check,
            mapping=mapping,
        )

    validation = checked or check(month)
    if not validation.ok or validation.cases is None:
        _audit_refusal(store, user.actor, file_name, sha256, validation, "validation")
        return ImportOutcome(
            "refused", _refusal_message(file_name, validation), None, [], validation
        )

    report_month, month_error = resolve_report_month(month, validation, file_name)
    if report_month is None:
        _audit_refusal(store, user.actor, file_name, sha256, validation, "report_month")
        message = f"{month_error or 'Rapportmånad saknas.'} Inget har sparats."
        return ImportOutcome("refused", message, None, [], validation)
    if validation.checked_month != report_month:
        # Checked against another month (the page checks before the month is typed):
        # the dates must hold for the month the file is stored under.
        validation = check(report_month)
        if not validation.ok or validation.cases is None:
            _audit_refusal(store, user.actor, file_name, sha256, validation, "validation")
            return ImportOutcome(
                "refused", _refusal_message(file_name, validation), None, [], validation
            )

    # Both checks above refuse a validation without cases.
    assert validation.cases is not None
    cases = validation.cases.drop(schema.REPORT_MONTH_FIELD, strict=False)
    projects = sorted(cases.get_column("project").unique().to_list())
    if not new_project and (close := _close_names(store, projects)):
        return _needs_new_project(close, report_month, validation)
    existing = [
        record
        for project in projects
        if (record := store.current_import(project, report_month)) is not None
    ]
    if existing and not replace:
        return _needs_confirmation(existing, report_month, validation)

    report(_VALIDATION_SHARE, "Sparar")
    try:
        saved = store.save_snapshots(
            file_name=file_name,
            sha256=sha256,
            report_month=report_month,
            cases=cases,
            imported_by=user.actor,
            replace=replace,
            once=True,
        )
    except SnapshotExists as exc:
        # Someone else stored the month between the check above and the save.
        return _needs_confirmation(exc.existing, report_month, validation)
    except AlreadyImported as exc:
        # A parallel import of these same bytes finished while this one waited.
        report(1.0, "Klart")
        return _duplicate(exc.existing)
    report(1.0, "Klart")
    parts = "; ".join(f"{r.project} {r.report_month}, {r.rows} rader" for r in saved)
    message = f"Importerad: {parts}."
    if existing:
        replaced = ", ".join(f"import {r.id}" for r in existing)
        message += f" Ersatte {replaced}, som finns kvar i historiken och kan återställas."
    return ImportOutcome("imported", message, report_month, saved, validation)


def _duplicate(stored: list[ImportRecord]) -> ImportOutcome:
    return ImportOutcome(
        "duplicate",
        f"Filen är redan importerad ({_list(stored)}); inget ändrades.",
        stored[0].report_month,
        stored,
    )


def _list(records: list[ImportRecord]) -> str:
    return ", ".join(f"import {r.id}, {r.project} {r.report_month}" for r in records)


def _needs_confirmation(
    existing: list[ImportRecord], report_month: str, validation: ValidationOutcome
) -> ImportOutcome:
    described = " och ".join(
        f"{r.project} {r.report_month} (import {r.id}, fil {r.file_name})" for r in existing
    )
    them, old = ("den", "den gamla") if len(existing) == 1 else ("dem", "de gamla")
    message = (
        f"Det finns redan en ögonblicksbild för {described}. Bekräfta för att ersätta "
        f"{them}; {old} sparas och kan återställas."
    )
    return ImportOutcome("needs_confirmation", message, report_month, existing, validation)


def _close_names(store: Store, projects: list[str]) -> dict[str, str]:
    """New project name -> the known name it is close to."""
    known = store.known_projects()
    return {
        project: meant
        for project in projects
        if (meant := close_known_name(project, known)) is not None
    }


def _needs_new_project(
    close: dict[str, str], report_month: str, validation: ValidationOutcome
) -> ImportOutcome:
    asked = " ".join(
        f"Insatsen {mask_value(new)} finns inte sedan tidigare – menade du {meant}?"
        for new, meant in close.items()
    )
    message = (
        f"{asked} Rätta namnet i filen och ladda upp igen, eller bekräfta att det är en ny "
        "insats. Inget har sparats."
    )
    return ImportOutcome("needs_new_project", message, report_month, [], validation)


def _refusal_message(file_name: str, validation: ValidationOutcome) -> str:
    file_name = mask_value(file_name)
    problems = validation.problems
    if not problems:
        return f"Filen {file_name} kunde inte läsas. Inget har sparats."
    first = problems[0].message
    more = len(problems) - 1
    extra = f" (och {more} problem till)" if more else ""
    return f"Filen {file_name} avvisades och inget har sparats: {first}{extra}"


def _audit_refusal(
    store: Store,
    actor: str,
    file_name: str,
    sha256: str,
    validation: ValidationOutcome,
    reason: str,
) -> None:
    """Which rules refused the file, never its values: the audit log holds no case data."""
    store.audit(
        actor,
        "import_refused",
        mask_value(file_name),
        {
            "reason": reason,
            "sha256": sha256,
            "rows_read": validation.rows_read,
            "rules": sorted({p.rule for p in validation.problems}),
        },
    )
