"""Outcome rules (DOMAIN.md, first match wins) and the Kaosam check."""

from __future__ import annotations

import polars as pl
import pytest

from metrics.catalogue import compute_metrics
from metrics.outcomes import OUTCOME_LABELS, OUTCOMES, with_outcome
from tests.metrics_factory import cases, ended, repeat


def outcome_of(**row) -> dict:
    return with_outcome(cases([row])).collect().row(0, named=True)


@pytest.mark.parametrize(
    ("row", "outcome", "detail", "complementary"),
    [
        # Felregistrering wins over everything, even a missing end date.
        ({"exit_reason": "felregistrering"}, "excluded", None, None),
        (ended(exit_reason="felregistrering", aid_end="inget"), "excluded", None, None),
        ({}, "ongoing", None, None),
        ({"aid_end": "inget", "income_end": "lon"}, "ongoing", None, None),
        # Sick compensation comes before self-sufficiency, whatever the aid.
        (ended(income_end="sjukersattning", aid_end="inget"), "sick_compensation", None, False),
        (
            ended(income_end="aktivitetsersattning", aid_end="delvis"),
            "sick_compensation",
            None,
            True,
        ),
        (ended(income_end="sjukersattning", aid_end="helt"), "sick_compensation", None, True),
        (ended(income_end="sjukersattning"), "sick_compensation", None, False),
        (ended(aid_end="inget", income_end="lon"), "self_sufficient", "work", None),
        (ended(aid_end="inget", exit_reason="arbete"), "self_sufficient", "work", None),
        (ended(aid_end="inget", income_end="studiemedel"), "self_sufficient", "studies", None),
        (ended(aid_end="inget", exit_reason="studier"), "self_sufficient", "studies", None),
        (ended(aid_end="inget", income_end="a_kassa"), "self_sufficient", "other_income", None),
        (ended(aid_end="inget", exit_reason="flyttat"), "self_sufficient", "other_income", None),
        (ended(aid_end="helt", income_end="lon"), "continued_aid", None, None),
        (ended(aid_end="delvis"), "continued_aid", None, None),
        (ended(), "unknown", None, None),
        (ended(income_end="lon", exit_reason="arbete"), "unknown", None, None),
    ],
)
def test_outcome_rules(row, outcome, detail, complementary):
    got = outcome_of(**row)
    assert (got["outcome"], got["outcome_detail"], got["complementary_aid"]) == (
        outcome,
        detail,
        complementary,
    )


def test_labels_cover_every_outcome_and_ongoing():
    assert set(OUTCOME_LABELS) == {*OUTCOMES, "ongoing"}
    assert OUTCOME_LABELS["sick_compensation"] == "Sjuk- eller aktivitetsersättning"


def kaosam() -> pl.DataFrame:
    """731 rows shaped like Kaosam's final report."""
    rows = (
        repeat(60, end_date=ended()["end_date"], aid_end="inget", income_end="lon")
        + repeat(30, end_date=ended()["end_date"], aid_end="inget", exit_reason="studier")
        + repeat(25, end_date=ended()["end_date"], aid_end="inget", exit_reason="flyttat")
        + repeat(59, end_date=ended()["end_date"], income_end="sjukersattning", aid_end="inget")
        + repeat(40, end_date=ended()["end_date"], income_end="sjukersattning", aid_end="helt")
        + repeat(
            27, end_date=ended()["end_date"], income_end="aktivitetsersattning", aid_end="delvis"
        )
        + repeat(38, end_date=ended()["end_date"], aid_end="helt", income_end="ekonomiskt_bistand")
        + repeat(452)
    )
    return cases(rows)


def test_kaosam_check_through_compute_metrics():
    frame = kaosam()
    assert frame.height == 731
    result = {r["metric"]: r for r in compute_metrics(frame).iter_rows(named=True)}
    assert result["participants"]["numerator"] == 731
    assert result["participants_ended"]["numerator"] == 279
    assert result["participants_ongoing"]["numerator"] == 452
    expected = {
        "outcome_self_sufficient": 115,
        "outcome_sick_compensation": 126,
        "outcome_continued_aid": 38,
        "outcome_unknown": 0,
        "share_exit_work_or_studies": 90,
    }
    for metric, count in expected.items():
        assert result[metric]["numerator"] == count, metric
        assert result[metric]["denominator"] == 279
        assert result[metric]["value"] == pytest.approx(count / 279)
    # Kaosam's "helt självförsörjande" = self-sufficient + sick compensation without aid.
    detail = with_outcome(frame).collect()
    sick = detail.filter(pl.col("outcome") == "sick_compensation")
    assert sick["complementary_aid"].sum() == 67
    assert (sick.height - sick["complementary_aid"].sum()) + 115 == 174
