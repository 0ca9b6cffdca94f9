"""The one path from a selection to protected figures: reference rule and threshold."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from metrics.catalogue import compute_metrics
from metrics.figures import detail_figures, metric_figures, selection_protection
from metrics.flows import outcome_breakdown
from metrics.protection import outcome_route_sums, protect_counts, protected_metrics
from metrics.selection import FILTER_FIELDS, Selection, select_cases
from tests.metrics_factory import END, cases, repeat

#: An ended participation whose activity at start and at exit is known.
ENDED = {"end_date": END, "active_start": False, "active_end": True}


def _snapshots() -> pl.DataFrame:
    """Two months of two insatser; in March Sigtuna has 20 participants, Solna 2."""
    rows = [
        *repeat(12, project="SAMRE", municipality="Sigtuna", report_month="2024-03"),
        *repeat(8, project="SAMRE", municipality="Sigtuna", **ENDED, report_month="2024-03"),
        *repeat(2, project="SAMRE", municipality="Solna", **ENDED, report_month="2024-03"),
        *repeat(9, project="SAMRE", municipality="Sigtuna", report_month="2024-02"),
        *repeat(15, project="Vägval", municipality="Sigtuna", report_month="2024-02"),
    ]
    return cases(rows)


def _value(frame: pl.DataFrame, metric: str = "participants") -> dict:
    return frame.filter(pl.col("metric") == metric).row(0, named=True)


def test_an_unfiltered_view_is_protected_against_nothing_but_small_counts():
    snapshots = _snapshots()
    frame = metric_figures(snapshots, Selection(), ["participants"])
    # SAMRE's newest month (22) and Vägval's (15).
    assert _value(frame)["value"] == 37
    assert _value(frame)["hidden_reason"] is None


def test_a_filter_that_leaves_out_one_to_four_hides_with_reason_filter():
    """Sigtuna alone leaves out Solna's 2: the total would give them away."""
    snapshots = _snapshots()
    frame = metric_figures(snapshots, Selection.of(municipality=["Sigtuna"]), ["participants"])
    row = _value(frame)
    assert row["suppressed"] and row["hidden_reason"] == "filter"
    assert row["value"] is None


def test_a_filter_that_leaves_out_many_shows_the_numbers():
    snapshots = _snapshots()
    frame = metric_figures(snapshots, Selection.of(project=["SAMRE"]), ["participants"])
    assert _value(frame)["value"] == 22
    assert _value(frame)["hidden_reason"] is None


def test_the_reference_is_the_same_view_without_filters():
    snapshots = _snapshots()
    selection = Selection.of("2024-03", municipality=["Sigtuna"])
    expected = protected_metrics(
        select_cases(snapshots, selection),
        ["participants", "share_active_end"],
        ["gender"],
        reference=select_cases(snapshots, Selection(report_month="2024-03")),
    )
    got = metric_figures(snapshots, selection, ["participants", "share_active_end"], ["gender"])
    assert got.equals(expected)


def test_the_report_month_picks_each_projects_state_then():
    snapshots = _snapshots()
    frame = metric_figures(snapshots, Selection(report_month="2024-02"), ["participants"])
    assert _value(frame)["value"] == 24


def test_over_months_gives_one_protected_row_per_month():
    snapshots = _snapshots()
    frame = metric_figures(
        snapshots, Selection(), ["participants"], ["report_month"], over_months=True
    )
    assert dict(frame.select("report_month", "value").iter_rows()) == {
        "2024-02": 24,
        "2024-03": 22,
    }


@pytest.mark.parametrize("threshold", [0, 1])
def test_threshold_zero_or_one_shows_every_computed_number(threshold):
    snapshots = _snapshots()
    frame = metric_figures(
        snapshots, Selection.of(municipality=["Solna"]), ["participants"], threshold=threshold
    )
    assert _value(frame)["value"] == 2
    expected = compute_metrics(
        select_cases(snapshots, Selection.of(municipality=["Solna"])), ["participants"]
    )
    assert _value(frame)["value"] == _value(expected)["value"]


def test_the_threshold_is_honoured():
    snapshots = _snapshots()
    assert _value(metric_figures(snapshots, Selection(), ["participants"]))["value"] == 37
    high = _value(metric_figures(snapshots, Selection(), ["participants"], threshold=40))
    assert high["suppressed"] and high["hidden_reason"] == "small"


def test_detail_figures_protect_with_the_selections_linked_set():
    snapshots = _snapshots()
    selection = Selection.of(municipality=["Sigtuna"])
    protected = selection_protection(snapshots, selection)
    expected = protect_counts(
        select_cases(snapshots, selection), reference=select_cases(snapshots, Selection())
    )
    assert protected.reasons == expected.reasons
    table = detail_figures(snapshots, selection, outcome_breakdown, outcome_route_sums())
    # The ended are the filter's difference-protected count: no route may show them.
    assert protected.reason((), (), "_ended") is not None
    assert table["count"].is_null().all()


def test_a_selection_names_the_schemas_breakdown_fields():
    assert FILTER_FIELDS[0] == "project"
    assert "report_month" not in FILTER_FIELDS
    assert {"municipality", "district", "gender", "age_group", "born_abroad"} <= set(FILTER_FIELDS)
    with pytest.raises(ValueError, match="okänt filterfält"):
        Selection.of(shoe_size=["42"])


def test_equal_selections_are_equal_whatever_the_order_they_were_given_in():
    one = Selection.of("2024-03", municipality=["Sigtuna"], project=["SAMRE"])
    two = Selection.of("2024-03", project=["SAMRE"], municipality=["Sigtuna"])
    assert one == two and hash(one) == hash(two)
    assert one.is_filtered and not one.unfiltered().is_filtered
    assert one.unfiltered() == Selection(report_month="2024-03")
    assert Selection(start_from=date(2024, 1, 1)).is_filtered


def test_a_comparison_hides_what_the_metric_frames_hide():
    from metrics.figures import comparison_figures

    snapshots = _snapshots()
    selection = Selection.of(project=["SAMRE"])
    comparison = comparison_figures(snapshots, selection, "share_active_end", "municipality")
    tables = metric_figures(snapshots, selection, ["share_active_end"], ["municipality"])
    hidden = set(tables.filter(pl.col("suppressed"))["municipality"])
    assert "Solna" in hidden
    assert set(comparison.filter(pl.col("suppressed"))["unit"]) == hidden
    assert comparison.filter(pl.col("unit") == "Solna")["value"].is_null().all()
