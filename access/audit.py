"""The audit log as people read it: Swedish action names, local time, one line per entry."""

from __future__ import annotations

import json
from collections.abc import Sequence
from zoneinfo import ZoneInfo

import polars as pl

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
    "setting_change": "Ändrad inställning",
    "report_export": "Mötesunderlag",
    "refused": "Nekad åtgärd",
    "purge": "Gallring",
    "mapping_save": "Sparad koppling",
    "backup": "Säkerhetskopia",
    "restore_backup": "Återläst säkerhetskopia",
}


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
