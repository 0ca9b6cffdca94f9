"""Choices, tables and sentences for the outcome page."""

from __future__ import annotations

import polars as pl

from metrics.flows import activity_to_activity, income_to_outcome, step_to_step
from metrics.protection import SUPPRESSION_THRESHOLD
from presentation.numbers import (
    LINKED_TEXT,
    count_or_hidden,
    format_count,
    format_share,
    hidden_marker,
)

FLOW_CHOICES = {
    "Försörjning vid start → utfall": (income_to_outcome, "Från försörjning vid start till utfall"),
    "Steg vid start → steg vid avslut": (step_to_step, "Från steg vid start till steg vid avslut"),
    "Aktivitet vid start → vid avslut": (
        activity_to_activity,
        "Från aktivitet vid start till aktivitet vid avslut",
    ),
}


def flow_table(flows: pl.DataFrame, threshold: int = SUPPRESSION_THRESHOLD) -> pl.DataFrame:
    """A flow as a table: from, to and the count ("<5" or "dold" when hidden)."""
    return flows.select(
        pl.col("source").alias("Från"),
        pl.col("target").alias("Till"),
        count_or_hidden(flows, threshold).alias("Antal"),
    )


def matrix_table(matrix: pl.DataFrame, threshold: int = SUPPRESSION_THRESHOLD) -> pl.DataFrame:
    """The step grid as a table: start step, exit step and the count."""
    return matrix.select(
        pl.col("step_start").alias("Steg vid start"),
        pl.col("step_end").alias("Steg vid avslut"),
        count_or_hidden(matrix, threshold).alias("Antal"),
    )


def complementary_aid_text(outcomes: pl.DataFrame) -> str:
    """How many of those who got sick or activity compensation still need some aid."""
    sick = outcomes.filter(pl.col("outcome") == "sick_compensation")
    if sick.height == 0:
        return "Ingen avslutad deltagare har gått till sjuk- eller aktivitetsersättning."
    if sick["suppressed"].any():
        hidden = sick.filter(pl.col("suppressed"))
        reasons = hidden["hidden_reason"].to_list() if "hidden_reason" in hidden.columns else []
        marker = hidden_marker(reasons)
        why = (
            f"ett av talen är dolt för att skydda ett litet tal ({marker})"
            if marker == LINKED_TEXT
            else f"underlaget är för litet ({marker})"
        )
        return (
            "Andelen med kompletterande ekonomiskt bistånd bland dem med sjuk- eller "
            f"aktivitetsersättning visas inte: {why}."
        )
    total = int(sick["count"].sum())
    with_aid = int(sick.filter(pl.col("complementary_aid"))["count"].sum())
    return (
        f"Av {format_count(total)} deltagare som gått till sjuk- eller aktivitetsersättning har "
        f"{format_count(with_aid)} ({format_share(with_aid / total)}) kompletterande "
        "ekonomiskt bistånd."
    )
