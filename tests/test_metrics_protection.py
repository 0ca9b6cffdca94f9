"""Small numbers stay hidden across every table shown together, checked by an LP attacker."""

from __future__ import annotations

import random

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metrics.catalogue import compute_metrics
from metrics.kpis import kpi_records
from metrics.protection import LINKED_FIELDS, protected_metrics
from metrics.suppression import suppress_linked_counts, suppress_small_counts
from tests.disclosure_attacker import attack
from tests.metrics_factory import END, cases

#: What a user can ask ``cli.py kpis`` for about one data set: the total, each single
#: field and a combination.
VIEWS: tuple[tuple[str, ...], ...] = (
    (),
    ("municipality",),
    ("gender",),
    ("age_group",),
    ("project",),
    ("municipality", "gender"),
)

OUTCOME_ROWS: tuple[dict[str, str | None], ...] = (
    {"income_end": "sjukersattning", "aid_end": "inget"},
    {"income_end": "lon", "aid_end": "inget"},
    {"income_end": "ekonomiskt_bistand", "aid_end": "helt"},
    {"income_end": None, "aid_end": None},
)


def _records(frame: pl.DataFrame, by) -> list[dict]:
    return kpi_records(frame, list(by))


def shown_and_truth(data: pl.DataFrame, views=VIEWS, threshold: int = 5):
    shown, truth = [], []
    for by in views:
        shown += _records(protected_metrics(data, by=by, threshold=threshold), by)
        truth += _records(compute_metrics(data, by=by), by)
    return shown, truth


def random_cases(seed: int, municipalities: int) -> pl.DataFrame:
    rng = random.Random(seed)
    names = ["Sigtuna", "Sollentuna", "Upplands Väsby", "Järfälla"][:municipalities]
    rows = []
    for name in names:
        for gender in ("K", "M"):
            for _ in range(rng.randint(0, 12)):
                row: dict[str, object] = {
                    "municipality": name,
                    "gender": gender,
                    "project": rng.choice(["SAMRE", "Vägval"]),
                    "age_group": rng.choice(["16-24", "25-34", "35-44", None]),
                    "born_abroad": rng.choice([True, False, None]),
                    "joint_plan": rng.choice([True, False, None]),
                    "sip_meetings": rng.choice([0, 1, 2, None]),
                    "months_on_aid": rng.choice([3, 12, None]),
                    "anonymous": rng.random() < 0.05,
                }
                if rng.random() < 0.6:
                    row.update(end_date=END, **rng.choice(OUTCOME_ROWS))
                    row["active_start"] = rng.choice([True, False, None])
                    row["active_end"] = rng.choice([True, False, None])
                    row["step_start"] = rng.choice([1, 2, 3, None])
                    row["step_end"] = rng.choice([2, 3, 4, None])
                rows.append(row)
    return cases(rows)


def test_the_attacker_finds_what_primary_suppression_leaks():
    """Outcomes add up to ended: hiding the one small outcome alone gives it away."""
    data = cases(
        [ended(**OUTCOME_ROWS[0])] * 7
        + [ended(**OUTCOME_ROWS[1])] * 6
        + [ended(**OUTCOME_ROWS[2])] * 5
        + [ended(**OUTCOME_ROWS[3])] * 2
    )
    truth = _records(compute_metrics(data), ())
    old = suppress_linked_counts(suppress_small_counts(compute_metrics(data)))
    leaks = attack(_records(old, ()), truth)
    assert {leak.count for leak in leaks} >= {"unknown"}
    assert not attack(_records(protected_metrics(data), ()), truth)


def ended(**row):
    return {"end_date": END, **row}


@pytest.mark.slow
@settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(seed=st.integers(0, 10_000), municipalities=st.integers(2, 4))
def test_no_small_count_can_be_worked_out_from_a_set_of_kpis_calls(seed, municipalities):
    data = random_cases(seed, municipalities)
    shown, truth = shown_and_truth(data)
    assert attack(shown, truth) == []


def test_every_small_count_is_hidden_and_marked_small():
    data = random_cases(3, 3)
    frame = protected_metrics(data, by=["municipality"])
    truth = compute_metrics(data, by=["municipality"])
    joined = frame.join(truth, on=["municipality", "metric"], suffix="_true")
    small = joined.filter(pl.col("numerator_true").is_between(1, 4))
    assert small.height > 0
    assert small["suppressed"].all()
    assert (small["hidden_reason"] == "small").all()


def test_protection_off_gives_every_number_exactly():
    data = random_cases(11, 4)
    for by in [*VIEWS, ("municipality", "gender", "age_group")]:
        off = protected_metrics(data, by=by, threshold=0).drop("hidden_reason")
        assert off.equals(compute_metrics(data, by=by))


def test_single_breakdowns_do_not_change_when_a_combination_is_asked_for():
    data = random_cases(5, 3)
    alone = protected_metrics(data, by=["municipality"])
    combos = protected_metrics(data, by=["municipality", "gender"])
    assert combos.height > 0
    again = protected_metrics(data, by=["municipality"])
    assert alone.equals(again)


def test_the_same_data_in_another_row_order_hides_the_same_cells():
    # Two different patterns of one data set, seen on two occasions, could be combined.
    data = random_cases(9, 4)
    assert protected_metrics(data, by=["municipality"])["suppressed"].any()
    for by in (["municipality"], ["municipality", "gender"]):
        first = protected_metrics(data, by=by)
        for seed in range(3):
            shuffled = data.sample(fraction=1.0, shuffle=True, seed=seed)
            assert protected_metrics(shuffled, by=by).equals(first)


def _mostly_small_combination() -> pl.DataFrame:
    # No municipality is small, but by gender six of the eight groups have 1-4 people.
    rows = []
    for name, women, men in (
        ("Sigtuna", 9, 3),
        ("Sollentuna", 3, 9),
        ("Järfälla", 2, 3),
        ("Upplands Väsby", 4, 1),
    ):
        rows += [{"municipality": name, "gender": "K"}] * women
        rows += [{"municipality": name, "gender": "M"}] * men
    return cases(rows)


def _shown_values(frame: pl.DataFrame) -> pl.DataFrame:
    # Anonymous participants belong to no breakdown but insats: never a value here.
    return frame.filter(pl.col("metric") != "participants_anonymous")


def test_a_combination_of_mostly_small_groups_is_hidden_whole():
    data = _mostly_small_combination()
    both = protected_metrics(data, by=["municipality", "gender"])
    assert _shown_values(both)["suppressed"].all()
    participants = both.filter(pl.col("metric") == "participants")
    assert set(participants["hidden_reason"]) == {"small", "linked"}
    # The single breakdowns are shown as they are alone, and the attacker gets nothing.
    alone = protected_metrics(data, by=["municipality"])
    assert not alone.filter(pl.col("metric") == "participants")["suppressed"].any()
    shown, truth = shown_and_truth(
        data, views=((), ("municipality",), ("gender",), ("municipality", "gender"))
    )
    assert attack(shown, truth) == []


def test_a_combination_past_its_budget_of_programs_is_hidden_whole(monkeypatch):
    import metrics.protection as protection

    data = random_cases(21, 3)
    by = ["municipality", "gender"]
    protected = protected_metrics(data, by=by)
    assert not _shown_values(protected)["suppressed"].all()  # protected cell by cell
    monkeypatch.setattr(protection, "COMBINATION_PROGRAMS", 0)
    assert _shown_values(protected_metrics(data, by=by))["suppressed"].all()
    views = ((), ("municipality",), ("gender",), tuple(by))
    shown, truth = shown_and_truth(data, views=views)
    assert attack(shown, truth) == []


def test_anonymous_participants_are_counted_per_insats_and_in_no_other_breakdown():
    data = cases(
        [{"project": "SAMRE"}] * 6
        + [{"project": "SAMRE", "anonymous": True}] * 5
        + [{"project": "Vägval"}] * 7
        + [{"project": "Vägval", "anonymous": True}] * 6
    )
    by_project = protected_metrics(data, ["participants_anonymous"], by=["project"])
    assert dict(by_project.select("project", "numerator").iter_rows()) == {
        "SAMRE": 5,
        "Vägval": 6,
    }
    by_kommun = protected_metrics(data, ["participants_anonymous"], by=["municipality"])
    assert by_kommun["numerator"].is_null().all()


@pytest.mark.parametrize("field", LINKED_FIELDS)
def test_every_linked_field_can_be_asked_for(field):
    data = random_cases(7, 2)
    frame = protected_metrics(data, by=[field])
    assert frame.height > 0


def test_a_detail_table_does_not_give_back_a_count_the_filter_check_hid():
    """Leaving out one ended participant: the outcome routes must not sum to the rest."""
    from metrics.flows import outcome_breakdown
    from metrics.protection import outcome_route_sums, protect_counts, protect_detail

    everyone = random_cases(21, 3)
    ended_ids = everyone.filter(pl.col("end_date").is_not_null())["case_id"]
    left_out = everyone.filter(pl.col("case_id") != ended_ids[0])
    protected = protect_counts(left_out, reference=everyone)
    assert protected.reason((), (), "_ended") == "filter"
    routes = protect_detail(outcome_breakdown(left_out), outcome_route_sums(), protected)
    assert routes["suppressed"].all()
    assert routes["count"].is_null().all()


def test_detail_rows_of_visible_totals_protect_their_small_rows():
    from metrics.flows import outcome_breakdown
    from metrics.protection import outcome_route_sums, protect_counts, protect_detail

    data = cases(
        [ended(income_end="lon", aid_end="inget")] * 17
        + [ended(income_end="studiemedel", aid_end="inget")] * 3
        + [ended(income_end="sjukersattning", aid_end="helt")] * 9
        + [ended(income_end="sjukersattning", aid_end="inget")] * 8
    )
    protected = protect_counts(data)
    routes = protect_detail(outcome_breakdown(data), outcome_route_sums(), protected)
    by_route = {
        (r["outcome"], r["outcome_detail"], r["complementary_aid"]): r
        for r in routes.iter_rows(named=True)
    }
    studies = by_route[("self_sufficient", "studies", None)]
    assert studies["suppressed"] and studies["hidden_reason"] == "small"
    # Work + studies = self-sufficient (20, shown): work must go too, as "dold".
    work = by_route[("self_sufficient", "work", None)]
    assert work["suppressed"] and work["hidden_reason"] == "linked"
    assert not by_route[("sick_compensation", None, True)]["suppressed"]


def test_every_number_shown_is_the_computed_one():
    """Protection hides; it never changes a number it shows."""
    data = random_cases(13, 4)
    for by in VIEWS:
        shown = protected_metrics(data, by=by)
        truth = compute_metrics(data, by=by)
        assert shown.drop("hidden_reason", "suppressed").columns == truth.drop("suppressed").columns
        for column in ("value", "numerator", "denominator", "ci_low", "ci_high"):
            pairs = zip(shown[column].to_list(), truth[column].to_list(), strict=True)
            assert all(s is None or s == t for s, t in pairs), (by, column)
