"""Budgets as a TOML file: one ``[[budget]]`` table per insats and year.

Reading checks every entry and refuses the file whole when any is wrong, with one Swedish
message per faulty entry naming the entry (its number, insats and year) and each faulty
field. Writing gives the same shape back, so import -> export -> import gives the same
entries.
"""

from __future__ import annotations

import tomllib
from collections.abc import Collection, Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import tomli_w

from budgets.model import Budget

#: The earliest year an entry may have: Finsam associations exist since 2004, and older
#: projects are not followed up here.
FIRST_YEAR = 2000
#: How many years ahead a budget may be set.
YEARS_AHEAD = 5
#: An amount above this (ten billion kronor) is a typing error, not a project budget.
MAX_AMOUNT = 10_000_000_000
#: The longest project name accepted (the export format's names are far shorter).
MAX_PROJECT = 200

_REQUIRED = ("project", "year")
_AMOUNTS = ("budget_sek", "outcome_sek")
_KEYS = (*_REQUIRED, *_AMOUNTS)

HEADER = (
    "# Budget och utfall per insats och år, ett [[budget]] per insats och år.\n"
    "# Belopp i hela kronor. Se README: Budget och kostnad per deltagare.\n\n"
)


class BudgetDefinitionError(ValueError):
    """A budget file or form was refused; ``messages`` has one Swedish line per faulty entry."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("\n".join(messages))
        self.messages = messages


def read_budgets(path: Path | str, today: date | None = None) -> list[Budget]:
    """The entries of a TOML file, all checked; raises ``BudgetDefinitionError`` otherwise."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise BudgetDefinitionError([f"Filen {path.name} kunde inte läsas: {exc}"]) from None
    return parse_budgets(text, source=path.name, today=today)


def parse_budgets(
    text: str, source: str = "budgetfilen", today: date | None = None
) -> list[Budget]:
    """Parse and check TOML text; all entries or none."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BudgetDefinitionError([f"{source} är ingen giltig TOML: {exc}"]) from None
    extra = sorted(set(document) - {"budget"})
    if extra:
        raise BudgetDefinitionError(
            [f"{source}: okända nycklar på översta nivån: {', '.join(extra)} (väntade [[budget]])."]
        )
    tables = document.get("budget", [])
    if not isinstance(tables, list) or not tables:
        raise BudgetDefinitionError([f"{source} innehåller inga poster ([[budget]]-tabeller)."])
    return check_budgets(tables, today=today)


def check_budgets(tables: Iterable[Mapping[str, Any]], today: date | None = None) -> list[Budget]:
    """Build entries from raw mappings; refuse all of them if any is wrong."""
    entries: list[Budget] = []
    messages: list[str] = []
    seen: set[tuple[str, int]] = set()
    for number, table in enumerate(tables, start=1):
        if not isinstance(table, Mapping):
            messages.append(f"Post {number}: ska vara en tabell [[budget]].")
            continue
        entry, problems = budget_from_mapping(table, today=today)
        if entry is not None and entry.key in seen:
            problems.append("samma insats och år finns redan tidigare i filen")
            entry = None
        if entry is not None:
            seen.add(entry.key)
        if problems:
            messages.append(f"Post {number} ({entry_name(table)}): {'; '.join(problems)}.")
        elif entry is not None:
            entries.append(entry)
    if messages:
        raise BudgetDefinitionError(messages)
    return entries


def entry_name(data: Mapping[str, Any]) -> str:
    """How a message names an entry: its insats and year, as far as they are known."""
    project, year = data.get("project"), data.get("year")
    parts = [f"insats '{project.strip()}'" if isinstance(project, str) and project.strip() else ""]
    parts.append(f"år {year}" if _integer(year) else "")
    named = ", ".join(p for p in parts if p)
    return named or "utan insats och år"


def _integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _amount(key: str, value: Any, problems: list[str]) -> int | None:
    """An amount in whole kronor, or a problem naming the field."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        problems.append(
            f"{key} = {value!r} är inget tal: ange beloppet i hela kronor, utan mellanslag "
            "och utan 'kr' (till exempel 6900000)"
        )
        return None
    if isinstance(value, float) and not value.is_integer():
        problems.append(f"{key} = {value} har ören: ange beloppet i hela kronor")
        return None
    if value < 0:
        problems.append(f"{key} = {value:.0f} är negativt: ett belopp är 0 kr eller mer")
        return None
    if value > MAX_AMOUNT:
        problems.append(f"{key} = {value:.0f} är orimligt stort (mer än tio miljarder kronor)")
        return None
    return int(value)


def year_range(today: date | None = None) -> tuple[int, int]:
    """The years an entry may have: from ``FIRST_YEAR`` to a few years ahead."""
    this_year = (today or date.today()).year
    return FIRST_YEAR, this_year + YEARS_AHEAD


def budget_from_mapping(
    data: Mapping[str, Any], today: date | None = None
) -> tuple[Budget | None, list[str]]:
    """One entry from its keys, or the list of what is wrong with them (in Swedish)."""
    problems: list[str] = []
    unknown = sorted(set(data) - set(_KEYS))
    if unknown:
        problems.append(f"okända nycklar: {', '.join(unknown)} (tillåtna: {', '.join(_KEYS)})")
    project = data.get("project")
    if project is None or (isinstance(project, str) and not project.strip()):
        problems.append("saknar project (insatsens namn)")
    elif not isinstance(project, str):
        problems.append("project ska vara text (insatsens namn)")
    elif len(project.strip()) > MAX_PROJECT:
        problems.append(f"project är längre än {MAX_PROJECT} tecken")
    elif any(not c.isprintable() for c in project.strip()):
        problems.append("project får inte innehålla radbrytningar, tabbar eller andra styrtecken")
    year = data.get("year")
    first, last = year_range(today)
    if year is None:
        problems.append("saknar year (ett år, till exempel 2019)")
    elif not _integer(year):
        problems.append(f"year = {year!r} ska vara ett år skrivet som heltal, till exempel 2019")
    elif not first <= year <= last:
        problems.append(f"year = {year} är inget rimligt år (ange ett år {first}–{last})")
    budget = _amount("budget_sek", data.get("budget_sek"), problems)
    outcome = _amount("outcome_sek", data.get("outcome_sek"), problems)
    if all(data.get(key) is None for key in _AMOUNTS):
        problems.append("ange budget_sek eller outcome_sek (eller båda)")
    this_year = (today or date.today()).year
    if outcome is not None and isinstance(year, int) and year > this_year:
        problems.append(
            f"outcome_sek för {year}: utfallet kan inte vara känt för ett år som inte har börjat"
        )
    if problems:
        return None, problems
    assert isinstance(project, str) and isinstance(year, int)
    return Budget(project.strip(), year, budget, outcome), []


def budget_to_mapping(entry: Budget) -> dict[str, Any]:
    """The TOML keys of one entry, missing amounts left out."""
    values: dict[str, Any] = {
        "project": entry.project,
        "year": entry.year,
        "budget_sek": entry.budget_sek,
        "outcome_sek": entry.outcome_sek,
    }
    return {key: values[key] for key in _KEYS if values[key] is not None}


def budgets_to_toml(entries: Iterable[Budget], without_data: Collection[str] = ()) -> str:
    """A TOML document with one ``[[budget]]`` table per entry.

    An entry for an insats in ``without_data`` (no export read for it) gets a comment
    above it, so whoever edits the file sees it; the entry itself is kept as it is.
    """
    parts = [HEADER]
    for entry in entries:
        if entry.project in without_data:
            # The name is printable (checked on the way in); a comment still gets no line break.
            name = " ".join(entry.project.split())
            parts.append(f"# Obs: det finns ingen inläst export för insatsen {name}.\n")
        parts.append(_table(entry))
    return "".join(parts).rstrip("\n") + "\n"


def _table(entry: Budget) -> str:
    """One entry as its own ``[[budget]]`` table (tomli_w would write a short one inline),
    amounts with ``_`` between thousands as TOML allows: ``budget_sek = 6_900_000``."""
    lines = ["[[budget]]", tomli_w.dumps({"project": entry.project}).rstrip("\n")]
    lines.append(f"year = {entry.year}")
    for key, value in budget_to_mapping(entry).items():
        if key in _AMOUNTS:
            lines.append(f"{key} = {value:_}")
    return "\n".join(lines) + "\n\n"
