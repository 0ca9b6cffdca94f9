"""What the command line, the Mål page's admin panel and the Ekonomi page call: budgets in and
out, and the costs per participant they give.

Only administrators change budgets (``Action.BUDGET_EDIT``); the check runs here, so a
forged call is refused and logged too. Every change (who, when, insats, year, field, old,
new) is stored with the entry in one transaction, in ``budget_changes`` and in the audit
log that the Logg page shows.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path

import polars as pl

from access.roles import Action, User, require, system_user
from budgets.model import Budget
from budgets.toml_io import (
    BudgetDefinitionError,
    budget_to_mapping,
    budgets_to_toml,
    check_budgets,
    read_budgets,
)
from metrics.costs import budget_frame, cost_figures
from metrics.protection import SUPPRESSION_THRESHOLD
from store import DEMO_ACTOR, Store
from store.budget_store import VALUE_FIELDS, BudgetStore, Change

DEMO_BUDGETS = Path(__file__).resolve().parent / "demo_budgets.toml"


class BudgetNotFound(LookupError):
    def __init__(self, project: str, year: int) -> None:
        super().__init__(f"Det finns ingen budgetpost för {project} år {year}.")
        self.project = project
        self.year = year


def _from_row(row: dict) -> Budget:
    return Budget(row["project"], int(row["year"]), row["budget_sek"], row["outcome_sek"])


def _text(value: int | None) -> str | None:
    return None if value is None else str(value)


def _changes(old: Budget | None, new: Budget) -> list[Change]:
    """Each amount that differs, old and new as text (a new entry: every amount it has)."""
    return [
        (name, _text(getattr(old, name)) if old else None, _text(getattr(new, name)))
        for name in VALUE_FIELDS
        if (getattr(old, name) if old else None) != getattr(new, name)
    ]


# -- reading --------------------------------------------------------------------------


def list_budgets(store: Store, project: str | None = None, year: int | None = None) -> list[Budget]:
    """The entries, by insats and year."""
    return [_from_row(row) for row in BudgetStore(store.engine).rows(project, year)]


def get_budget(store: Store, project: str, year: int) -> Budget | None:
    row = BudgetStore(store.engine).row(project, year)
    return None if row is None else _from_row(row)


def budget_changes(store: Store, project: str | None = None, year: int | None = None) -> list[dict]:
    """The logged changes (who, when, insats, year, field, old, new), newest first."""
    return BudgetStore(store.engine).changes(project, year)


def projects_with_data(store: Store) -> set[str]:
    """The insatser with at least one current export."""
    return {r.project for r in store.history() if r.status == "current"}


def without_data(store: Store, entries: Iterable[Budget]) -> list[str]:
    """The insatser of ``entries`` that have no export read: allowed, but flagged."""
    known = projects_with_data(store)
    return sorted({e.project for e in entries} - known)


def budget_years(store: Store) -> list[int]:
    """The years with at least one entry, newest first."""
    return sorted({e.year for e in list_budgets(store)}, reverse=True)


def export_budgets(store: Store, project: str | None = None) -> str:
    """Every entry as a TOML document that ``import_budgets`` reads back to the same rows;
    an entry for an insats without data is marked with a comment."""
    entries = list_budgets(store, project)
    return budgets_to_toml(entries, without_data(store, entries))


# -- changing -------------------------------------------------------------------------


def _authorised(store: Store, actor: User, target: str) -> str:
    """The actor's name for the log, once they are known to hold a role that edits budgets."""
    return require(actor, Action.BUDGET_EDIT, store, target).actor


def _save(store: Store, entries: list[Budget], actor: str) -> dict[str, int]:
    budget_store = BudgetStore(store.engine)
    items = []
    for entry in entries:
        old = get_budget(store, entry.project, entry.year)
        changes = _changes(old, entry)
        if changes:
            items.append((budget_to_mapping(entry), changes))
    created = budget_store.save(items, actor=actor)
    return {
        "created": sum(created),
        "updated": len(created) - sum(created),
        "unchanged": len(entries) - len(created),
    }


def import_budgets(
    store: Store, path: Path | str, actor: User, *, today: date | None = None
) -> dict[str, int]:
    """Create or update the entries of a TOML file by (insats, year); refused whole when any
    entry is invalid (``BudgetDefinitionError``, nothing stored).

    An entry replaces what is stored for its insats and year: an amount left out of the
    file is no longer recorded (the change is logged). Entries not in the file are left
    alone. Returns how many entries were created, updated and left unchanged.
    """
    who = _authorised(store, actor, f"budget {Path(path).name}")
    return _save(store, read_budgets(path, today=today), who)


def save_budget(
    store: Store, entry: Budget, actor: User, *, today: date | None = None
) -> tuple[Budget, bool]:
    """Create or replace one entry (the admin form), run through the file's checks.

    Returns the entry and whether anything changed.
    """
    who = _authorised(store, actor, f"budget {entry.project} {entry.year}")
    (checked,) = check_budgets([budget_to_mapping(entry)], today=today)
    counts = _save(store, [checked], who)
    return checked, counts["unchanged"] == 0


def remove_budget(store: Store, project: str, year: int, actor: User) -> Budget:
    """Delete an entry (entered for the wrong insats or year, say); the log keeps what it held."""
    who = _authorised(store, actor, f"budget {project} {year}")
    old = get_budget(store, project, year)
    if old is None:
        raise BudgetNotFound(project, year)
    changes = [(name, _text(getattr(old, name)), None) for name in VALUE_FIELDS]
    BudgetStore(store.engine).remove(project, year, changes, actor=who)
    return old


def load_demo_budgets(store: Store, actor: User | None = None) -> dict[str, int]:
    """The demo budgets, loaded once: a store that has budgets already is left alone."""
    if BudgetStore(store.engine).rows():
        return {"created": 0, "updated": 0, "unchanged": 0}
    return import_budgets(store, DEMO_BUDGETS, actor or system_user(DEMO_ACTOR))


# -- costs ----------------------------------------------------------------------------


def cost_figures_for(
    store: Store,
    year: int,
    *,
    as_of: str | None = None,
    metrics: list[str] | None = None,
    snapshots: pl.LazyFrame | pl.DataFrame | None = None,
    threshold: int = SUPPRESSION_THRESHOLD,
) -> pl.DataFrame:
    """The cost metrics of ``year`` for every insats with an entry for it (see
    :func:`metrics.costs.cost_figures`).

    The counts are those of the whole förbund's cases, protected together, whichever
    insats is shown afterwards. ``snapshots`` saves a load when the caller has them.
    """
    entries = [budget_to_mapping(e) for e in list_budgets(store, year=year)]
    data = store.load_snapshots() if snapshots is None else snapshots
    return cost_figures(
        data, budget_frame(entries), year, as_of=as_of, metrics=metrics, threshold=threshold
    )


__all__ = [
    "BudgetDefinitionError",
    "BudgetNotFound",
    "budget_changes",
    "budget_years",
    "cost_figures_for",
    "export_budgets",
    "get_budget",
    "import_budgets",
    "list_budgets",
    "load_demo_budgets",
    "projects_with_data",
    "remove_budget",
    "save_budget",
    "without_data",
]
