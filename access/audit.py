"""The audit log as people read it: who may read it, Swedish action names, local time."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Protocol
from zoneinfo import ZoneInfo

import polars as pl

from access.roles import Action, AuditLog, User, require

LOCAL_TIME = ZoneInfo("Europe/Stockholm")

#: What each logged action is called on the Logg page and in ``cli.py audit``.
ACTION_LABELS: dict[str, str] = {
    "import": "Import",
    "replace": "Ersättning",
    "restore": "Återställning",
    "import_refused": "Avvisad fil",
    "goal_create": "Nytt mål",
    "goal_edit": "Ändrat mål",
    "goal_remove": "Borttaget mål",
    "goal_status": "Bedömt mål",
    "budget_create": "Ny budgetpost",
    "budget_edit": "Ändrad budget eller utfall",
    "budget_remove": "Borttagen budgetpost",
    "setting_change": "Ändrad inställning",
    "report_export": "Mötesunderlag",
    "refused": "Nekad åtgärd",
    "purge": "Gallring",
    "mapping_save": "Sparad koppling",
    "backup": "Säkerhetskopia",
    "restore_backup": "Återläst säkerhetskopia",
    "demo_load": "Demodata inläst",
}


class AuditReader(AuditLog, Protocol):
    """What reading the log needs of the store: its entries, and a place to log a refusal."""

    def audit_entries(self, since: date | None = None) -> list[dict]:
        """Entries newest first; ``since`` keeps those from that day on."""


def read_audit(
    log: AuditReader, user: User, since: date | None = None, target: str = "logg"
) -> list[dict]:
    """The audit entries from ``since`` on, newest first: administrators only (a refusal
    is itself logged). The Logg page and ``cli.py audit`` both read the log through here."""
    require(user, Action.VIEW_AUDIT, log, target)
    return log.audit_entries(since)


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


def detail_text(detail: object) -> str:
    """The detail as compact JSON text (never rendered as HTML or Markdown)."""
    if detail is None:
        return ""
    return json.dumps(detail, ensure_ascii=False, sort_keys=True)


def audit_frame(entries: Sequence[dict]) -> pl.DataFrame:
    """Entries from ``Store.audit_entries`` as a table with Swedish headers, newest first."""
    return pl.DataFrame(
        {
            "Tid": [e["at"].astimezone(LOCAL_TIME).strftime("%Y-%m-%d %H:%M:%S") for e in entries],
            "Vem": [e["actor"] for e in entries],
            "Åtgärd": [action_label(e["action"]) for e in entries],
            "Gäller": [e["target"] for e in entries],
            "Detaljer": [detail_text(e["detail"]) for e in entries],
        },
        schema=dict.fromkeys(["Tid", "Vem", "Åtgärd", "Gäller", "Detaljer"], pl.String),
    )
