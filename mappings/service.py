"""What the command line and the upload page call: mappings saved, found and listed.

Saving needs the role that may edit mappings; each save that changes something becomes a
new version and is logged with what changed (headers and words, never case rows).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from access.roles import Action, User, require
from ingest import schema
from ingest.guard import mask_value
from ingest.mapping import Mapping, mapping_from_json
from store import Store
from store.mapping_store import MappingStore


@dataclass(frozen=True)
class StoredMapping:
    """One saved version of an insats's mapping."""

    mapping: Mapping
    version: int
    saved_at: datetime
    saved_by: str


def _stored(row: dict[str, Any]) -> StoredMapping:
    return StoredMapping(
        mapping_from_json(row["definition"]), row["version"], row["saved_at"], row["saved_by"]
    )


def latest_mapping(store: Store, project: str) -> StoredMapping | None:
    row = MappingStore(store.engine).latest(project)
    return None if row is None else _stored(row)


def list_mappings(store: Store) -> list[StoredMapping]:
    """The newest version of each insats's mapping."""
    return [_stored(row) for row in MappingStore(store.engine).latest_all()]


def mapping_for_headers(store: Store, headers: list[str]) -> StoredMapping | None:
    """The saved mapping whose columns are exactly the file's headers (next month's file).

    Headers are compared as the export format compares them (case, spaces, diacritics).
    """
    wanted = {schema.normalize_header(h) for h in headers if h}
    for stored in list_mappings(store):
        listed = {schema.normalize_header(h) for h in stored.mapping.columns}
        if listed and listed == wanted:
            return stored
    return None


def _flat(mapping: Mapping) -> dict[tuple[str, str], str]:
    data = mapping.to_dict()
    flat: dict[tuple[str, str], str] = {("mapping", k): str(v) for k, v in data["mapping"].items()}
    for table in ("columns", "constants"):
        flat.update({(table, k): v for k, v in data.get(table, {}).items()})
    for header, values in data.get("values", {}).items():
        flat.update({(f"values.{header}", k): v for k, v in values.items()})
    return flat


def mapping_changes(old: Mapping | None, new: Mapping) -> list[list[str | None]]:
    """[table, key, old, new] for every line that differs (keys masked like file text)."""
    before = _flat(old) if old is not None else {}
    after = _flat(new)
    return [
        [table, mask_value(key), before.get((table, key)), after.get((table, key))]
        for table, key in sorted(before.keys() | after.keys())
        if before.get((table, key)) != after.get((table, key))
    ]


def save_mapping(store: Store, mapping: Mapping, actor: User) -> tuple[StoredMapping, bool]:
    """Save ``mapping`` as its insats's newest version, unless it equals the newest one.

    Returns the stored version and whether a new one was written. Raises ``AccessDenied``
    (logged, nothing stored) for a user who may not edit mappings.
    """
    who = require(actor, Action.MAPPING_EDIT, store, f"mapping {mapping.project}")
    current = latest_mapping(store, mapping.project)
    if current is not None and current.mapping == mapping:
        return current, False
    version = MappingStore(store.engine).add_version(mapping.project, mapping.to_json(), who.actor)
    store.audit(
        who.actor,
        "mapping_save",
        f"mapping {mapping.project}",
        {
            "project": mapping.project,
            "version": version,
            "changes": mapping_changes(current.mapping if current else None, mapping),
        },
    )
    saved = latest_mapping(store, mapping.project)
    assert saved is not None
    return saved, True
