"""The store: imports, snapshots and the audit log (SQLAlchemy, Alembic, ADBC)."""

from store.records import (
    CURRENT,
    DEMO_ACTOR,
    REPLACED,
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
    "ImportNotFound",
    "ImportRecord",
    "SnapshotExists",
    "Store",
    "StoreError",
]
