"""A selection in words, and the Swedish names of coded values."""

from __future__ import annotations

from typing import Any

from ingest.schema import CODE_LABELS, FIELDS_BY_NAME, label_for_code
from metrics.selection import Selection

#: Shorter words than the schema's labels where the line would read heavy.
_WORDS: dict[str, str] = {"age_group": "ålder"}


def code_kind(name: str) -> str | None:
    """The schema's label list for a field's values (``None``: its values are names)."""
    field = FIELDS_BY_NAME.get(name)
    if field is None:
        return None
    if field.kind == "yesno":
        return "yesno"
    if field.kind == "code" and name in CODE_LABELS:
        return name
    return None


def value_label(name: str, value: Any) -> str:
    """A value of a field as users read it: a code's label, "Ja"/"Nej", or the name."""
    kind = code_kind(name)
    if kind is None or value is None:
        return label_for_code("", value)
    code = str(value).lower() if isinstance(value, bool) else str(value)
    return label_for_code(kind, code)


def describe_selection(selection: Selection) -> str:
    """One Swedish line saying what the figures cover."""
    parts = []
    for name, values in selection.choices:
        word = _WORDS.get(name) or FIELDS_BY_NAME[name].label.lower()
        parts.append(f"{word} " + ", ".join(value_label(name, v) for v in values))
    if selection.start_from or selection.start_to:
        lo = selection.start_from.isoformat() if selection.start_from else "…"
        hi = selection.start_to.isoformat() if selection.start_to else "…"
        parts.append(f"start {lo} – {hi}")
    month = selection.report_month or "senaste månaden"
    scope = "; ".join(parts) if parts else "alla deltagare"
    if selection.period is not None:
        return (
            f"Urval: {scope}. Period: {selection.period.label}, enligt exporten för "
            f"rapportmånad: {month}."
        )
    return f"Urval: {scope}. Rapportmånad: {month}."
