"""Budgets and costs per participant as users read them: Swedish kronor, the count each
cost is divided by, which amount the cost is, and what is hidden and why.

Pages and the meeting pack take their cost texts from here, so a cost reads the same on
the screen and on paper.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import polars as pl

from metrics.costs import COST_METRICS, SOURCE_BUDGET, SOURCE_OUTCOME
from metrics.protection import SUPPRESSION_THRESHOLD
from presentation.numbers import format_count, format_sek, hidden_text

NO_OUTCOME = "Inget utfall registrerat"
NO_BUDGET = "Ingen budget registrerad"
NO_DATA_TEXT = "ingen inläst export för året"

#: What the cost is, in one word (a tile).
SOURCE_WORDS: dict[str, str] = {SOURCE_OUTCOME: "Utfall", SOURCE_BUDGET: "Budget"}
#: What the cost is, in a table cell.
SOURCE_TEXT: dict[str, str] = {
    SOURCE_OUTCOME: "Utfall",
    SOURCE_BUDGET: "Budget (inget utfall ännu)",
}

#: The table's columns, in order.
INSATS = "Insats"
BUDGET = "Budget"
OUTCOME = "Utfall"
SOURCE = "Kostnaden är"
COST_COLUMNS: dict[str, str] = {m.id: m.label for m in COST_METRICS.values()}


def amount_text(value: int | None, missing: str) -> str:
    return missing if value is None else format_sek(value)


def source_sentence(source: str | None) -> str:
    """One sentence on which amount the costs are computed from."""
    if source == SOURCE_OUTCOME:
        return "Kostnaderna räknas på det registrerade utfallet."
    if source == SOURCE_BUDGET:
        return "Inget utfall är registrerat ännu, så kostnaderna räknas på budgeten."
    return "Varken budget eller utfall är registrerat."


def cost_text(row: dict[str, Any], threshold: int = SUPPRESSION_THRESHOLD) -> str:
    """The cost alone: ``"50 000 kr"``; "<5"/"dold" when hidden; "–" without a count."""
    if row.get("suppressed"):
        return hidden_text(row.get("hidden_reason"), threshold)
    if not row.get("has_data", True):
        return "–"
    value = row.get("value")
    return "–" if value is None else format_sek(value)


def basis_text(row: dict[str, Any], threshold: int = SUPPRESSION_THRESHOLD) -> str:
    """What the cost is divided by: ``"per deltagare (n = 175)"``.

    Hidden: the n is hidden too ("per deltagare (n = <5)"); no export for the year: says so;
    a count of zero: says there is none to divide by.
    """
    metric = COST_METRICS[row["metric"]]
    if row.get("suppressed"):
        return f"{metric.per} (n = {hidden_text(row.get('hidden_reason'), threshold)})"
    if not row.get("has_data", True):
        return f"{metric.per} ({NO_DATA_TEXT})"
    n = row.get("denominator")
    if n is None:
        return f"{metric.per} (n saknas)"
    if n == 0:
        return f"{metric.per} (n = 0, ingen att dela med)"
    return f"{metric.per} (n = {format_count(n)})"


def cell_text(row: dict[str, Any], threshold: int = SUPPRESSION_THRESHOLD) -> str:
    """A table cell: the cost and its n, ``"50 000 kr (n = 10)"``."""
    cost = cost_text(row, threshold)
    basis = basis_text(row, threshold)
    return f"{cost} {basis[basis.index('(') :]}"


@dataclass(frozen=True)
class ProjectCosts:
    """One insats's year: its amounts, which one the cost is, and its cost rows."""

    project: str
    year: int
    budget_sek: int | None
    outcome_sek: int | None
    cost_source: str | None
    has_data: bool
    report_month: str | None
    rows: tuple[dict[str, Any], ...]

    @property
    def budget_text(self) -> str:
        return amount_text(self.budget_sek, NO_BUDGET)

    @property
    def outcome_text(self) -> str:
        return amount_text(self.outcome_sek, NO_OUTCOME)

    @property
    def source_text(self) -> str:
        return SOURCE_TEXT.get(self.cost_source or "", "–")

    def row(self, metric: str) -> dict[str, Any] | None:
        return next((r for r in self.rows if r["metric"] == metric), None)

    def basis_note(self) -> str | None:
        """Why the counts may not cover the whole year, or that there are none."""
        if not self.has_data:
            return (
                f"Det finns ingen inläst export för {self.project} under {self.year}, så "
                "kostnaden per deltagare kan inte räknas. Kontrollera att insatsens namn är "
                "detsamma som i exporten."
            )
        if self.report_month is not None and self.report_month < f"{self.year}-12":
            return (
                f"Antalen är hämtade ur exporten för {self.report_month}: året är inte "
                "slut i underlaget, så de kan öka."
            )
        return None


def project_costs(frame: pl.DataFrame) -> list[ProjectCosts]:
    """The cost frame (:func:`metrics.costs.cost_figures`) grouped by insats, in order."""
    found = []
    for (project,), rows in frame.group_by(["project"], maintain_order=True):
        first = rows.row(0, named=True)
        found.append(
            ProjectCosts(
                project=str(project),
                year=int(first["year"]),
                budget_sek=first["budget_sek"],
                outcome_sek=first["outcome_sek"],
                cost_source=first["cost_source"],
                has_data=bool(first["has_data"]),
                report_month=first["report_month"],
                rows=tuple(rows.iter_rows(named=True)),
            )
        )
    return found


def cost_table(
    projects: Iterable[ProjectCosts], threshold: int = SUPPRESSION_THRESHOLD
) -> pl.DataFrame:
    """One row per insats: budget, outcome, which the cost is, and each cost with its n."""
    records = []
    for item in projects:
        record = {
            INSATS: item.project,
            BUDGET: item.budget_text,
            OUTCOME: item.outcome_text,
            SOURCE: item.source_text,
        }
        for metric, label in COST_COLUMNS.items():
            row = item.row(metric)
            record[label] = "–" if row is None else cell_text(row, threshold)
        records.append(record)
    columns = [INSATS, BUDGET, OUTCOME, SOURCE, *COST_COLUMNS.values()]
    return pl.DataFrame(records, schema=dict.fromkeys(columns, pl.String), orient="row")


def budget_outcome_frame(projects: Iterable[ProjectCosts]) -> pl.DataFrame:
    """Budget and outcome per insats, for the chart (null where one is not recorded)."""
    items = list(projects)
    return pl.DataFrame(
        {
            "project": [p.project for p in items],
            "budget_sek": [p.budget_sek for p in items],
            "outcome_sek": [p.outcome_sek for p in items],
        },
        schema={"project": pl.String, "budget_sek": pl.Int64, "outcome_sek": pl.Int64},
    )


def budget_outcome_table(frame: pl.DataFrame) -> pl.DataFrame:
    """The chart's table alternative: budget, outcome and the difference, in kronor."""
    rows = []
    for row in frame.iter_rows(named=True):
        budget, outcome = row["budget_sek"], row["outcome_sek"]
        difference = "–"
        if budget is not None and outcome is not None:
            sign = "+" if outcome > budget else ""
            difference = sign + format_sek(outcome - budget)
        rows.append(
            {
                INSATS: row["project"],
                BUDGET: amount_text(budget, NO_BUDGET),
                OUTCOME: amount_text(outcome, NO_OUTCOME),
                "Utfall minus budget": difference,
            }
        )
    columns = [INSATS, BUDGET, OUTCOME, "Utfall minus budget"]
    return pl.DataFrame(rows, schema=dict.fromkeys(columns, pl.String), orient="row")
