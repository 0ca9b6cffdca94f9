"""The store: imports, snapshots and the audit log (SQLAlchemy, Alembic, ADBC)."""

from store.errors import ImportBusy, StoreUnavailable
from store.records import (
    CURRENT,
    DEMO_ACTOR,
    REPLACED,
    AlreadyImported,
    ImportNotFound,
    ImportRecord,
    SnapshotExists,
    StoreError,
)
from store.store import Store

__all__ = [
    "CURRENT",
    "DEMO_ACTOR",
    "REPLACED",
    "AlreadyImported",
    "ImportBusy",
    "ImportNotFound",
    "ImportRecord",
    "SnapshotExists",
    "Store",
    "StoreError",
    "StoreUnavailable",
]
