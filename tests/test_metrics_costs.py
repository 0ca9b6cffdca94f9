"""Cost per participant, per ended and per self-sufficient, against frames counted by hand."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from metrics.costs import COST_METRICS, cost_figures, year_cases
from metrics.period import Period, period_view
from metrics.protection import protected_metrics
from tests.metrics_factory import cases, repeat

SELF_SUFFICIENT = {"aid_end": "inget", "income_end": "lon"}
CONTINUED_AID = {"aid_end": "helt", "income_end": "ekonomiskt_bistand"}


def _samre_2019(project: str = "SAMRE", **defaults) -> list[dict]:
    """20 participants during 2019: 8 ended in 2019 (2 self-sufficient, 6 with continued
    aid), 12 still going (2 of them end in 2020). 7 more ended in 2018, 3 start in 2020:
    neither is a participant during 2019."""
    row = {"project": project, **defaults}
    return [
        *repeat(
            2, start_date=date(2019, 2, 1), end_date=date(2019, 9, 30), **SELF_SUFFICIENT, **row
        ),
        *repeat(
            6, start_date=date(2018, 5, 1), end_date=date(2019, 10, 31), **CONTINUED_AID, **row
        ),
        *repeat(10, start_date=date(2018, 6, 1), **row),
        *repeat(
            2, start_date=date(2019, 3, 1), end_date=date(2020, 2, 1), **SELF_SUFFICIENT, **row
        ),
        *repeat(
            7, start_date=date(2018, 1, 1), end_date=date(2018, 12, 1), **SELF_SUFFICIENT, **row
        ),
        *repeat(3, start_date=date(2020, 1, 15), **row),
    ]


BUDGET = [{"project": "SAMRE", "year": 2019, "budget_sek": 600_000, "outcome_sek": 500_000}]


def _rows(frame: pl.DataFrame, project: str = "SAMRE") -> dict[str, dict]:
    return {
        r["metric"]: r for r in frame.filter(pl.col("project") == project).iter_rows(named=True)
    }


def test_costs_without_protection_are_the_hand_counts() -> None:
    figures = _rows(
        cost_figures(cases(_samre_2019(), report_month="2019-12"), BUDGET, 2019, threshold=0)
    )
    # 500 000 kr (the outcome) over 20 participants, 8 ended and 2 self-sufficient.
    assert figures["cost_per_participant"]["value"] == 25_000
    assert figures["cost_per_participant"]["denominator"] == 20
    assert figures["cost_per_ended"]["value"] == 62_500
    assert figures["cost_per_ended"]["denominator"] == 8
    assert figures["cost_per_self_sufficient"]["value"] == 250_000
    assert figures["cost_per_self_sufficient"]["denominator"] == 2
    for row in figures.values():
        assert row["numerator"] == 500_000
        assert row["cost_source"] == "utfall"
        assert (row["budget_sek"], row["outcome_sek"], row["year"]) == (600_000, 500_000, 2019)
        assert row["has_data"] and not row["suppressed"] and row["hidden_reason"] is None


def test_a_small_self_sufficient_count_hides_its_cost_and_n() -> None:
    figures = _rows(cost_figures(cases(_samre_2019()), BUDGET, 2019))
    assert figures["cost_per_participant"]["value"] == 25_000
    assert figures["cost_per_ended"]["value"] == 62_500
    hidden = figures["cost_per_self_sufficient"]
    # 2 < 5: showing 250 000 kr beside the 500 000 kr would give the 2 away.
    assert hidden["suppressed"] and hidden["hidden_reason"] == "small"
    assert hidden["value"] is None and hidden["denominator"] is None
    assert hidden["numerator"] == 500_000  # the amount is no count of people


def test_the_budget_is_the_cost_while_no_outcome_is_recorded() -> None:
    budget_only = [{"project": "SAMRE", "year": 2019, "budget_sek": 600_000, "outcome_sek": None}]
    figures = _rows(cost_figures(cases(_samre_2019()), budget_only, 2019))
    assert figures["cost_per_participant"]["cost_source"] == "budget"
    assert figures["cost_per_participant"]["numerator"] == 600_000
    assert figures["cost_per_participant"]["value"] == 30_000
    assert figures["cost_per_ended"]["value"] == 75_000


def test_a_cost_is_hidden_whenever_its_count_is_and_for_the_same_reason() -> None:
    """Vägval's 3 ended are small; the förbund's ended are shown, so SAMRE's 8 could be
    worked out from them and are hidden too ("linked"): so is SAMRE's cost per ended."""
    vagval = [
        *repeat(
            3,
            project="Vägval",
            start_date=date(2019, 1, 10),
            end_date=date(2019, 6, 1),
            **CONTINUED_AID,
        ),
        *repeat(9, project="Vägval", start_date=date(2019, 1, 10)),
    ]
    rows = [*_samre_2019(), *vagval]
    snapshot = cases(rows)
    budgets = [*BUDGET, {"project": "Vägval", "year": 2019, "budget_sek": 120_000}]
    costs = cost_figures(snapshot, budgets, 2019)
    counts = protected_metrics(
        period_view(snapshot, Period.year(2019)),
        metrics=["period_participants", "period_ended", "outcome_self_sufficient"],
        by=["project"],
    )
    reasons = {
        (r["project"], r["metric"]): r["hidden_reason"] for r in counts.iter_rows(named=True)
    }
    for row in costs.iter_rows(named=True):
        count = COST_METRICS[row["metric"]].count_metric
        assert row["hidden_reason"] == reasons[(row["project"], count)], row
        assert row["suppressed"] == (row["value"] is None), row
        assert (row["denominator"] is None) == row["suppressed"], row
    assert _rows(costs, "Vägval")["cost_per_ended"]["hidden_reason"] == "small"
    assert _rows(costs, "SAMRE")["cost_per_ended"]["hidden_reason"] == "linked"
    # 12 participants in Vägval: shown, 120 000 / 12.
    assert _rows(costs, "Vägval")["cost_per_participant"]["value"] == 10_000


def test_the_year_is_read_from_the_newest_snapshot_as_every_period_figure() -> None:
    """A later export tells the year more completely (here: one participation of 2019
    registered late); ``as_of`` gives the year as a report month saw it."""
    june = cases(_samre_2019()[:10], report_month="2019-06")
    december = cases(_samre_2019(), report_month="2019-12")
    late = {"start_date": date(2019, 11, 1)}
    march_2020 = cases([*_samre_2019(), late], report_month="2020-03")
    snapshots = pl.concat([june, december, march_2020])
    figures = _rows(cost_figures(snapshots, BUDGET, 2019, threshold=0))
    assert figures["cost_per_participant"]["denominator"] == 21
    assert figures["cost_per_participant"]["report_month"] == "2020-03"
    as_of_december = _rows(cost_figures(snapshots, BUDGET, 2019, as_of="2019-12", threshold=0))
    assert as_of_december["cost_per_participant"]["denominator"] == 20
    as_of_june = _rows(cost_figures(snapshots, BUDGET, 2019, as_of="2019-06", threshold=0))
    assert as_of_june["cost_per_participant"]["report_month"] == "2019-06"
    assert year_cases(snapshots, 2019, "2019-06").collect().height == 10
    # A snapshot from before the year tells nothing of it.
    assert year_cases(snapshots, 2021).collect().height == 0
    assert not _rows(cost_figures(june, [{**BUDGET[0], "year": 2020}], 2020))[
        "cost_per_participant"
    ]["has_data"]


def test_no_ended_participants_gives_no_cost_rather_than_a_made_up_one() -> None:
    frame = cases(repeat(12, start_date=date(2019, 3, 1)))
    figures = _rows(cost_figures(frame, BUDGET, 2019))
    assert figures["cost_per_participant"]["value"] == 500_000 / 12
    assert figures["cost_per_ended"]["value"] is None
    assert figures["cost_per_ended"]["denominator"] == 0
    assert not figures["cost_per_ended"]["suppressed"]


def test_an_insats_with_a_budget_but_no_cases_is_kept_and_says_so() -> None:
    budgets = [*BUDGET, {"project": "Ny insats", "year": 2019, "budget_sek": 90_000}]
    costs = cost_figures(cases(_samre_2019()), budgets, 2019, threshold=0)
    new = _rows(costs, "Ny insats")
    assert set(new) == set(COST_METRICS)
    assert all(not r["has_data"] and r["value"] is None for r in new.values())
    assert new["cost_per_participant"]["numerator"] == 90_000
    assert all(r["has_data"] for r in _rows(costs).values())
    # Another year's budget is not this year's.
    assert cost_figures(cases(_samre_2019()), budgets, 2018).height == 0


def test_only_the_metrics_asked_for_and_no_unknown_ones() -> None:
    costs = cost_figures(cases(_samre_2019()), BUDGET, 2019, metrics=["cost_per_ended"])
    assert costs["metric"].to_list() == ["cost_per_ended"]
    with pytest.raises(ValueError, match="cost_per_nothing"):
        cost_figures(cases(_samre_2019()), BUDGET, 2019, metrics=["cost_per_nothing"])
