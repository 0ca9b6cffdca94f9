"""What a budget entry is: one insats's budget and outcome (utfall) for one calendar year.

Amounts are whole kronor. Either may be missing: a budget is set before the year, the
outcome is known after it. The cost the cost metrics use is the outcome, or the budget
while no outcome is recorded (:func:`metrics.costs.cost_source`).
"""

from __future__ import annotations

from dataclasses import dataclass

from metrics.costs import CostSource, cost_source

#: The fields an entry holds, as the TOML file and the log name them.
FIELD_LABELS: dict[str, str] = {
    "project": "insats",
    "year": "år",
    "budget_sek": "budget",
    "outcome_sek": "utfall",
}


@dataclass(frozen=True)
class Budget:
    """One insats's budget and outcome for one year, in whole kronor."""

    project: str
    year: int
    budget_sek: int | None = None
    outcome_sek: int | None = None

    @property
    def key(self) -> tuple[str, int]:
        return (self.project, self.year)

    @property
    def cost_sek(self) -> int | None:
        """The amount the cost metrics divide: the outcome, else the budget."""
        return self.outcome_sek if self.outcome_sek is not None else self.budget_sek

    @property
    def cost_source(self) -> CostSource | None:
        return cost_source(self.budget_sek, self.outcome_sek)
