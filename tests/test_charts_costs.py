"""The budget-against-outcome chart: what it draws, how the two are told apart, what is missing."""

from __future__ import annotations

import polars as pl

from charts.costs import budget_outcome_bars
from charts.palette import contrast_ratio

FRAME = pl.DataFrame(
    {
        "project": ["Brobygget", "Vägval", "<b>X</b>"],
        "budget_sek": [3_400_000, 2_600_000, None],
        "outcome_sek": [3_520_000, None, 90_000],
    }
)


def test_budget_and_outcome_are_bars_in_millions_told_apart_without_colour() -> None:
    figure = budget_outcome_bars(FRAME)
    traces = {trace.name: trace for trace in figure.data}
    assert set(traces) == {"Budget", "Utfall"}
    budget, outcome = traces["Budget"], traces["Utfall"]
    names = list(budget.y)
    assert budget.x[names.index("Brobygget")] == 3.4
    assert outcome.customdata[names.index("Brobygget")] == 3_520_000
    # Pattern and word, not colour alone.
    assert budget.marker.pattern.shape == "" and outcome.marker.pattern.shape == "/"
    assert outcome.text[names.index("Brobygget")] == "Utfall: 3,52 mnkr"
    assert "3 520 000 kr" in outcome.hovertext[names.index("Brobygget")]
    assert contrast_ratio(budget.marker.color) >= 3 and contrast_ratio(outcome.marker.color) >= 3
    # The budget is drawn last, so it is the upper bar of each insats, as in the legend.
    assert [t.name for t in figure.data] == ["Utfall", "Budget"]
    assert figure.layout.legend.traceorder == "reversed"


def test_a_missing_amount_has_no_bar_and_a_note_and_names_are_inert() -> None:
    figure = budget_outcome_bars(FRAME)
    budget = next(t for t in figure.data if t.name == "Budget")
    names = list(budget.y)
    assert budget.x[names.index("Vägval")] is not None
    outcome = next(t for t in figure.data if t.name == "Utfall")
    assert outcome.x[names.index("Vägval")] is None
    notes = [a.text for a in figure.layout.annotations if a.name == "note"]
    assert "Utfall är inte registrerat för: Vägval." in notes
    assert "&lt;b&gt;X&lt;/b&gt;" in names


def test_nothing_to_draw_says_so() -> None:
    empty = budget_outcome_bars(FRAME.head(0))
    assert [a.name for a in empty.layout.annotations] == ["empty"]
