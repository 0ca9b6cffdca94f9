"""The stored imports as the pages and the command line use them: history, restore, gallring.

Each function checks the user's role (``access.roles.require``: a refusal is logged before
it is raised), then asks the store, which writes the audit entry in the same transaction
as the change. The upload page, the Logg page and ``cli.py`` all call these, so who may do
what with the imports, and what is logged, is decided here only.

Importing a file is ``store.importer.import_export``, which follows the same rule.
"""

from __future__ import annotations

from datetime import date

from access.roles import Action, User, require
from store import ImportRecord, Store
from store.retention import PurgePlan


def import_history(store: Store, user: User, target: str = "history") -> list[ImportRecord]:
    """Every import, current and replaced, newest first (reading needs the viewer role)."""
    require(user, Action.VIEW, store, target)
    return store.history()


def restore_import(store: Store, user: User, import_id: int) -> ImportRecord:
    """Make an earlier import current again; the one it displaces is kept as replaced.

    Raises ``AccessDenied`` (logged) without the restore role and ``ImportNotFound`` for an
    id that does not exist. Restoring the import that is already current changes nothing.
    """
    who = require(user, Action.RESTORE, store, f"import {import_id}")
    return store.restore(import_id, restored_by=who.actor)


def purge_plan(store: Store, user: User, project: str, before: date) -> PurgePlan:
    """What ``purge`` would delete now, for an administrator to confirm."""
    require(user, Action.PURGE, store, f"project {project}")
    return store.purge_plan(project, before)


def purge(store: Store, user: User, project: str, before: date) -> PurgePlan:
    """Delete for good the project's snapshots of months wholly before ``before`` (with
    their case rows) and its goals' stored statuses for those months; returns what went."""
    who = require(user, Action.PURGE, store, f"project {project}")
    return store.purge(project, before, purged_by=who.actor)
