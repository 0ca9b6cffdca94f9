"""Flows of ended participations for Sankey charts and the step matrix."""

from __future__ import annotations

import polars as pl

from metrics import flows
from tests.metrics_factory import cases, ended


def sample() -> pl.DataFrame:
    return cases(
        [
            ended(
                income_start="ekonomiskt_bistand",
                step_start=1,
                step_end=4,
                active_start=False,
                active_end=True,
                aid_end="inget",
                income_end="lon",
            ),
            ended(
                income_start="ekonomiskt_bistand",
                step_start=1,
                step_end=4,
                active_start=False,
                active_end=True,
                aid_end="helt",
            ),
            ended(
                income_start="sjukpenning",
                step_start=2,
                step_end=2,
                active_start=True,
                income_end="sjukersattning",
                aid_end="delvis",
            ),
            ended(step_start=3, active_end=False),
            {"income_start": "ekonomiskt_bistand", "step_start": 1},  # ongoing
            ended(income_start="lon", anonymous=True),  # anonymous: in no flow
            ended(exit_reason="felregistrering", step_start=1, step_end=1),
        ]
    )


def as_dict(frame: pl.DataFrame) -> dict[tuple[str, str], int]:
    return {(r["source"], r["target"]): r["count"] for r in frame.iter_rows(named=True)}


def test_income_to_outcome():
    out = flows.income_to_outcome(sample())
    assert dict(out.schema) == {"source": pl.String(), "target": pl.String(), "count": pl.Int64()}
    assert as_dict(out) == {
        ("Ekonomiskt bistånd", "Självförsörjande"): 1,
        ("Ekonomiskt bistånd", "Fortsatt ekonomiskt bistånd"): 1,
        ("Sjukpenning", "Sjuk- eller aktivitetsersättning"): 1,
        ("Uppgift saknas", "Okänt"): 1,
    }


def test_step_to_step():
    assert as_dict(flows.step_to_step(sample())) == {
        ("Start: 1 Passiv", "Avslut: 4 Anpassad aktivitet/arbetsträning"): 2,
        ("Start: 2 Utredning/behandling", "Avslut: 2 Utredning/behandling"): 1,
        ("Start: 3 Förrehabilitering", "Avslut: Uppgift saknas"): 1,
    }


def test_activity_to_activity():
    assert as_dict(flows.activity_to_activity(sample())) == {
        ("Start: Ej i aktivitet", "Avslut: I aktivitet"): 2,
        ("Start: I aktivitet", "Avslut: Uppgift saknas"): 1,
        ("Start: Uppgift saknas", "Avslut: Ej i aktivitet"): 1,
    }


def test_step_matrix_is_full_grid_of_known_pairs():
    out = flows.step_matrix(sample())
    assert out.height == 36
    assert out["count"].sum() == 3
    cell = out.filter((pl.col("step_start") == 1) & (pl.col("step_end") == 4))
    assert cell["count"].to_list() == [2]


def test_outcome_breakdown():
    out = flows.outcome_breakdown(sample())
    assert out.rows() == [
        ("self_sufficient", "work", None, 1),
        ("sick_compensation", None, True, 1),
        ("continued_aid", None, None, 1),
        ("unknown", None, None, 1),
    ]


def test_every_flow_adds_up_to_ended_participations():
    frame = sample()
    for flow in (flows.income_to_outcome, flows.step_to_step, flows.activity_to_activity):
        assert flow(frame)["count"].sum() == 4
    assert flows.outcome_breakdown(frame)["count"].sum() == 4
    assert flows.income_to_outcome(cases([])).is_empty()
