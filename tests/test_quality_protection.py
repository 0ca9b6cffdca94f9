"""The data-quality tables hide what the other views hide, and small counts of their own."""

from __future__ import annotations

import polars as pl

from metrics.protection import protected_metrics
from metrics.quality import END_FIELDS, completeness, unknown_codes
from presentation.quality import (
    TOTAL_METRICS,
    completeness_table,
    protect_quality_counts,
    unknown_codes_table,
)
from tests.metrics_factory import cases, repeat


def _frame() -> pl.DataFrame:
    return cases(
        [
            # Sigtuna: 30 participants, 28 with months on aid filled in (2 missing).
            *repeat(28, municipality="Sigtuna", months_on_aid=3, education="okand"),
            *repeat(2, municipality="Sigtuna", education="gymnasium"),
            # Järfälla: 3 participants, all filled in.
            *repeat(3, municipality="Järfälla", months_on_aid=5, education="okand"),
            # Solna: 40 participants, 20 filled in.
            *repeat(20, municipality="Solna", months_on_aid=1, education="okand"),
            *repeat(20, municipality="Solna", education="okand"),
        ]
    )


def _protected(frame: pl.DataFrame, table: pl.DataFrame, count: str, **kw) -> pl.DataFrame:
    totals = protected_metrics(frame, list(TOTAL_METRICS), by=["municipality"])
    return protect_quality_counts(table, totals, ["municipality"], count=count, **kw)


def _row(protected: pl.DataFrame, municipality: str, field: str) -> dict:
    return protected.filter(
        (pl.col("municipality") == municipality) & (pl.col("field") == field)
    ).row(0, named=True)


def test_completeness_hides_small_counts_and_small_rests() -> None:
    frame = _frame()
    protected = _protected(frame, completeness(frame), "known")
    # 28 of 30 filled: the 2 without would follow from the percentage and the total.
    assert _row(protected, "Sigtuna", "months_on_aid")["hidden_reason"] == "small"
    # A municipality of 3: every figure rests on a small count.
    assert _row(protected, "Järfälla", "months_on_aid")["hidden_reason"] == "small"
    # 20 of 40 is shown.
    assert _row(protected, "Solna", "months_on_aid")["hidden_reason"] is None


def test_completeness_follows_the_linked_protection_of_the_totals() -> None:
    frame = _frame()
    totals = protected_metrics(frame, list(TOTAL_METRICS), by=["municipality"])
    hidden_elsewhere = totals.filter(
        (pl.col("metric") == "participants") & pl.col("hidden_reason").is_not_null()
    )["municipality"].to_list()
    protected = protect_quality_counts(completeness(frame), totals, ["municipality"], count="known")
    for municipality in hidden_elsewhere:
        rows = protected.filter(
            (pl.col("municipality") == municipality) & ~pl.col("field").is_in(END_FIELDS)
        )
        assert rows["hidden_reason"].is_not_null().all(), municipality
    # Järfälla's 3 are small, so the protection hides another municipality too.
    assert "Järfälla" in hidden_elsewhere and len(hidden_elsewhere) >= 2


def test_completeness_table_shows_reasons_as_text() -> None:
    frame = _frame()
    wide = completeness_table(_protected(frame, completeness(frame), "known"), "municipality")
    label = completeness(frame).filter(pl.col("field") == "months_on_aid")["label"][0]
    row = wide.filter(pl.col("Uppgift") == label)
    assert row["Järfälla"][0] == "<5"
    assert row["Solna"][0] == "50"


def test_unknown_codes_hide_small_counts_and_hidden_totals() -> None:
    frame = _frame()
    protected = _protected(frame, unknown_codes(frame), "unknown", over_all=True)
    table = unknown_codes_table(protected)
    sigtuna = table.filter(pl.col("Kommun") == "Sigtuna").row(0, named=True)
    assert sigtuna["Kod 'okand'"] == "<5"  # 28 of 30: the 2 others would follow
    jarfalla = table.filter(pl.col("Kommun") == "Järfälla").row(0, named=True)
    assert jarfalla["Kod 'okand'"] == "<5"
    assert jarfalla["Deltagare"] == "<5"  # the 3 participants are a small count themselves
    totals = protected_metrics(frame, ["participants"], by=["municipality"])
    for row in table.iter_rows(named=True):
        total = totals.filter(pl.col("municipality") == row["Kommun"]).row(0, named=True)
        if total["hidden_reason"] is not None:
            assert row["Deltagare"] in ("<5", "dold"), row
        else:
            assert row["Deltagare"] == str(int(total["value"])), row


def test_threshold_off_shows_everything() -> None:
    frame = _frame()
    totals = protected_metrics(frame, list(TOTAL_METRICS), by=["municipality"], threshold=0)
    protected = protect_quality_counts(
        completeness(frame), totals, ["municipality"], count="known", threshold=0
    )
    assert protected["hidden_reason"].is_null().all()
