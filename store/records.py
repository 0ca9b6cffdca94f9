"""What the store hands out about imports, and the errors it raises."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

ImportStatus = Literal["current", "replaced"]
CURRENT: ImportStatus = "current"
REPLACED: ImportStatus = "replaced"

#: ``imported_by`` of the demo data set, so the app can offer to remove it.
DEMO_ACTOR = "demo"


@dataclass(frozen=True)
class ImportRecord:
    """One stored snapshot: one project's cases for one report month from one file."""

    id: int
    file_name: str
    sha256: str
    project: str
    report_month: str
    rows: int
    imported_by: str
    imported_at: datetime
    status: ImportStatus
    replaced_by: int | None = None


class StoreError(Exception):
    """Base of the store's own errors; the message is Swedish and shown to users."""


class SnapshotExists(StoreError):
    """A current snapshot exists for a (project, month) and replacing was not confirmed."""

    def __init__(self, existing: list[ImportRecord]) -> None:
        self.existing = existing
        listed = "; ".join(
            f"{r.project} {r.report_month} (import {r.id}, fil {r.file_name})" for r in existing
        )
        super().__init__(f"Det finns redan en ögonblicksbild för {listed}.")


class AlreadyImported(StoreError):
    """The same file (by SHA-256) is already stored: importing it again changes nothing."""

    def __init__(self, existing: list[ImportRecord]) -> None:
        self.existing = existing
        super().__init__("Filen är redan importerad.")


class ImportNotFound(StoreError):
    """No import with the given id."""

    def __init__(self, import_id: int) -> None:
        self.import_id = import_id
        super().__init__(f"Det finns ingen import med nummer {import_id}.")
