"""Tables and sentences users read, built from metric frames without Streamlit."""

from __future__ import annotations

from datetime import date

import polars as pl

from metrics.selection import Selection
from presentation.comparison import comparison_table, standing_table
from presentation.key_numbers import basis_text, metric_row
from presentation.outcomes import complementary_aid_text, flow_table, matrix_table
from presentation.overview import outcome_table, participants_sentence
from presentation.selection import code_kind, describe_selection, value_label
from presentation.trends import trend_table


def _totals(**rows: dict) -> pl.DataFrame:
    records = [
        {
            "metric": metric,
            "value": row.get("value"),
            "numerator": row.get("numerator"),
            "denominator": row.get("denominator"),
            "suppressed": row.get("suppressed", False),
            "hidden_reason": row.get("hidden_reason"),
        }
        for metric, row in rows.items()
    ]
    return pl.DataFrame(
        records,
        schema={
            "metric": pl.String,
            "value": pl.Float64,
            "numerator": pl.Int64,
            "denominator": pl.Int64,
            "suppressed": pl.Boolean,
            "hidden_reason": pl.String,
        },
    )


def test_the_basis_of_a_share_and_of_a_median():
    assert basis_text({"numerator": 12, "denominator": 1044}, "share") == "12 av 1 044"
    hidden = {"suppressed": True, "hidden_reason": "small", "denominator": 44}
    assert basis_text(hidden, "share") == "<5 av 44"
    assert basis_text(hidden, "share", threshold=10) == "<10 av 44"
    linked = {"suppressed": True, "hidden_reason": "linked", "denominator": None}
    assert basis_text(linked, "median") == "Underlag: dold"
    assert basis_text({"denominator": 30}, "median") == "Underlag: 30 deltagare"
    assert basis_text({}, "median") == "Underlag saknas"


def test_participants_sentence_counts_the_anonymous_apart():
    totals = _totals(
        participants={"value": 1175},
        participants_anonymous={"value": 4, "suppressed": True, "hidden_reason": "small"},
    )
    assert participants_sentence(totals) == "1 175 deltagare samt <5 anonyma"
    assert participants_sentence(totals, threshold=3) == "1 175 deltagare samt <3 anonyma"
    assert metric_row(totals, "participants")["value"] == 1175
    assert metric_row(totals, "share_active_end") is None
    none_anonymous = _totals(participants={"value": 20}, participants_anonymous={"value": 0})
    assert participants_sentence(none_anonymous) == "20 deltagare"


def test_count_tables_show_the_threshold_they_were_protected_with():
    flows = pl.DataFrame(
        {
            "source": ["A", "B"],
            "target": ["X", "X"],
            "count": [None, 12],
            "suppressed": [True, False],
        }
    )
    assert flow_table(flows)["Antal"].to_list() == ["<5", "12"]
    assert flow_table(flows, threshold=10)["Antal"].to_list() == ["<10", "12"]
    grid = pl.DataFrame({"step_start": [1], "step_end": [2], "count": [None], "suppressed": [True]})
    assert matrix_table(grid, threshold=3).row(0) == (1, 2, "<3")
    outcomes = pl.DataFrame(
        {
            "outcome": ["self_sufficient", "unknown"],
            "outcome_detail": ["work", None],
            "complementary_aid": pl.Series([None, None], dtype=pl.Boolean),
            "count": [30, None],
            "suppressed": [False, True],
        }
    )
    table = outcome_table(outcomes, 40, threshold=7)
    assert table["Antal"].to_list() == ["30", "<7"]
    assert table["Andel av avslutade"].to_list() == ["75,0 %", ""]


def test_count_tables_say_dold_for_a_count_hidden_to_protect_another():
    # A large count hidden only so that a small one cannot be worked out must not read "<5".
    flows = pl.DataFrame(
        {
            "source": ["A", "B", "C"],
            "target": ["X", "X", "X"],
            "count": [None, None, 12],
            "suppressed": [True, True, False],
            "hidden_reason": ["small", "linked", None],
        }
    )
    assert flow_table(flows)["Antal"].to_list() == ["<5", "dold", "12"]
    grid = pl.DataFrame(
        {
            "step_start": [1],
            "step_end": [2],
            "count": [None],
            "suppressed": [True],
            "hidden_reason": ["linked"],
        }
    )
    assert matrix_table(grid).row(0) == (1, 2, "dold")
    outcomes = pl.DataFrame(
        {
            "outcome": ["self_sufficient", "unknown"],
            "outcome_detail": ["work", None],
            "complementary_aid": pl.Series([None, None], dtype=pl.Boolean),
            "count": [None, None],
            "suppressed": [True, True],
            "hidden_reason": ["linked", "small"],
        }
    )
    assert outcome_table(outcomes, 40)["Antal"].to_list() == ["dold", "<5"]
    sick = outcomes.with_columns(pl.lit("sick_compensation").alias("outcome"))
    assert "skydda ett litet tal (dold)" in complementary_aid_text(sick)
    small = sick.with_columns(pl.lit("small").alias("hidden_reason"))
    assert "underlaget är för litet (<5)" in complementary_aid_text(small)


def test_comparison_and_standing_tables():
    comparison = pl.DataFrame(
        {
            "unit": ["Sigtuna", None],
            "value": [0.5, None],
            "ci_low": [0.3, None],
            "ci_high": [0.7, None],
            "numerator": [10, None],
            "denominator": [20, None],
            "suppressed": [False, True],
            "hidden_reason": [None, "linked"],
            "flag": ["above", None],
        }
    )
    table = comparison_table(comparison, "Kommun")
    assert table.row(0) == ("Sigtuna", "50,0 %", "30,0 % – 70,0 %", "10", "20", "▲ över helheten")
    assert table.row(1) == ("Uppgift saknas", "dold", "", "dold", "dold", "")
    by_unit = pl.DataFrame(
        {
            "gender": ["K", "M"],
            "metric": ["share_active_end", "share_active_end"],
            "value": [0.5, None],
            "denominator": [20, 3],
            "suppressed": [False, True],
            "hidden_reason": [None, "small"],
        }
    )
    wide = standing_table(by_unit, None, "gender", "Kön", threshold=4)
    assert wide.rows() == [("Kvinna", "50,0 % (n = 20)"), ("Man", "<4 (n = 3)")]


def test_trend_table_one_row_per_month():
    trend = pl.DataFrame(
        {
            "report_month": ["2024-01", "2024-02"],
            "metric": ["share_active_end"] * 2,
            "value": [0.25, None],
            "numerator": [5, None],
            "denominator": [20, 8],
            "suppressed": [False, True],
            "hidden_reason": [None, "small"],
        }
    )
    table = trend_table(trend, "share_active_end", None, threshold=6)
    assert table.columns[0] == "Månad"
    assert table.row(0)[1:] == ("25,0 %", "5 av 20")
    assert table.row(1)[1:] == ("<6", "<6 av 8")


def test_a_selection_in_words():
    assert describe_selection(Selection()) == (
        "Urval: alla deltagare. Rapportmånad: senaste månaden."
    )
    selection = Selection.of(
        "2024-03",
        municipality=["Sigtuna"],
        project=["SAMRE"],
        gender=["K", "M"],
        age_group=["25-34"],
        start_from=date(2024, 1, 1),
    )
    assert describe_selection(selection) == (
        "Urval: insats SAMRE; kommun Sigtuna; kön Kvinna, Man; ålder 25-34; "
        "start 2024-01-01 – …. Rapportmånad: 2024-03."
    )


def test_coded_values_read_as_labels_and_names_as_they_are():
    assert code_kind("gender") == "gender"
    assert code_kind("born_abroad") == "yesno"
    assert code_kind("municipality") is None
    assert value_label("born_abroad", True) == "Ja"
    assert value_label("gender", "X") == "Annat/okänt"
    assert value_label("project", "SAMRE") == "SAMRE"
    assert value_label("district", None) == "Uppgift saknas"
