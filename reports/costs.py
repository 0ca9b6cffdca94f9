"""The meeting pack's cost section: the insats's budget, outcome and costs per participant for
the year of the pack's report month, as text and one table.

The counts are the förbund's, protected together as on the Ekonomi page, as they stood at
the pack's report month. ``reports.content.build_report`` calls :func:`cost_section`.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from budgets.service import cost_figures_for
from metrics.costs import COST_METRICS, SELF_SUFFICIENT_NOTE, CostMetric
from metrics.protection import SUPPRESSION_THRESHOLD
from presentation.costs import (
    ProjectCosts,
    basis_text,
    cost_text,
    project_costs,
    source_sentence,
)
from reports.content import Table
from store import Store


@dataclass(frozen=True)
class CostSection:
    """What the pack says about money for one insats and year."""

    project: str
    year: int
    recorded: bool
    lead: str
    notes: tuple[str, ...]
    table: Table | None
    definitions: tuple[CostMetric, ...]
    note: str = SELF_SUFFICIENT_NOTE

    @property
    def title(self) -> str:
        return f"Budget och kostnad per deltagare {self.year}"


def _table(item: ProjectCosts, threshold: int) -> Table:
    rows: list[tuple[str, str, str]] = [
        ("Budget", item.budget_text, ""),
        ("Utfall", item.outcome_text, ""),
        ("Kostnaden räknas på", item.source_text, ""),
    ]
    if item.has_data:
        for metric in COST_METRICS.values():
            row = item.row(metric.id)
            if row is not None:
                rows.append((metric.label, cost_text(row, threshold), basis_text(row, threshold)))
    return Table(("Mått", "Belopp", "Underlag"), tuple(rows), ("Belopp", "Underlag"))


def cost_section(
    store: Store,
    project: str,
    month: str,
    *,
    snapshots: pl.DataFrame | None = None,
    threshold: int = SUPPRESSION_THRESHOLD,
) -> CostSection:
    """The cost section for ``project`` in the year of ``month``, counted as of ``month``."""
    year = int(month[:4])
    frame = cost_figures_for(
        store,
        year,
        as_of=month,
        snapshots=store.load_snapshots() if snapshots is None else snapshots,
        threshold=threshold,
    )
    found = [p for p in project_costs(frame) if p.project == project]
    if not found:
        return CostSection(
            project=project,
            year=year,
            recorded=False,
            lead=(
                f"Ingen budget och inget utfall är registrerat för {project} år {year}. En "
                "administratör lägger in dem i Lägesbild på sidan Mål eller med kommandot "
                "cli.py budget import."
            ),
            notes=(),
            table=None,
            definitions=(),
        )
    item = found[0]
    notes = tuple(n for n in (item.basis_note(),) if n)
    return CostSection(
        project=project,
        year=year,
        recorded=True,
        lead=(
            f"{source_sentence(item.cost_source)} Antalen gäller deltagare under {year} "
            "enligt insatsens senaste export till och med rapportmånaden."
        ),
        notes=notes,
        table=_table(item, threshold),
        definitions=tuple(COST_METRICS.values()) if item.has_data else (),
    )
