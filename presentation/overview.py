"""Texts and small tables for the overview page."""

from __future__ import annotations

import polars as pl

from metrics.outcomes import OUTCOME_DETAIL_LABELS, OUTCOME_LABELS, OUTCOMES
from metrics.protection import SUPPRESSION_THRESHOLD
from presentation.key_numbers import metric_row
from presentation.numbers import (
    count_or_hidden,
    format_count,
    format_share,
    hidden_text,
    suppressed_text,
)

OVERVIEW_METRICS: tuple[str, ...] = (
    "participants",
    "participants_anonymous",
    "participants_ongoing",
    "participants_ended",
    "share_active_start",
    "share_active_end",
    "activity_change_pp",
)
#: Over a period: its own counts, and those still ongoing at its end.
PERIOD_OVERVIEW_METRICS: tuple[str, ...] = (
    "period_participants",
    "period_new",
    "period_ended",
    "participants_ongoing",
    "participants_anonymous",
    "share_active_start",
    "share_active_end",
    "activity_change_pp",
)


def overview_metrics(period: bool) -> tuple[str, ...]:
    return PERIOD_OVERVIEW_METRICS if period else OVERVIEW_METRICS


def key_counts(period: bool) -> tuple[tuple[str, str | None], ...]:
    """The four key numbers at the top: (metric, label other than the catalogue's)."""
    if period:
        return (
            ("period_participants", None),
            ("period_new", None),
            ("period_ended", None),
            ("participants_ongoing", "Pågående vid periodens slut"),
        )
    return (
        ("participants", None),
        ("participants_ongoing", None),
        ("participants_ended", None),
        ("participants_anonymous", None),
    )


def _count_text(row: dict | None, threshold: int) -> str:
    if row is None:
        return "0"
    if row.get("suppressed"):
        return hidden_text(row.get("hidden_reason"), threshold)
    return format_count(row.get("value"))


def participants_sentence(totals: pl.DataFrame, threshold: int = SUPPRESSION_THRESHOLD) -> str:
    """'175 deltagare samt 4 anonyma' — anonymous participants counted, but apart (over a
    period: its participants)."""
    row = metric_row(totals, "participants") or metric_row(totals, "period_participants")
    participants = _count_text(row, threshold)
    anonymous_row = metric_row(totals, "participants_anonymous")
    if anonymous_row and (anonymous_row.get("value") or anonymous_row.get("suppressed")):
        return f"{participants} deltagare samt {_count_text(anonymous_row, threshold)} anonyma"
    return f"{participants} deltagare"


def ended_count(totals: pl.DataFrame) -> int | None:
    """How many participants ended, in the period if any (``None`` when hidden or missing)."""
    row = metric_row(totals, "participants_ended") or metric_row(totals, "period_ended")
    return None if row is None or row.get("value") is None else int(row["value"])


def outcome_table(
    outcomes: pl.DataFrame, ended_total: int | None, threshold: int = SUPPRESSION_THRESHOLD
) -> pl.DataFrame:
    """Outcome and sub-category with count and share of ended; hidden counts read "<5", or
    "dold" when hidden to protect another."""
    ended = outcomes.filter(pl.col("outcome").is_in(list(OUTCOMES)))
    shares = [
        format_share(count / ended_total) if count is not None and ended_total else ""
        for count in ended["count"]
    ]
    return ended.with_columns(pl.Series("_share", shares, pl.String)).select(
        pl.col("outcome").replace_strict(OUTCOME_LABELS, default=None).alias("Utfall"),
        pl.col("outcome_detail")
        .replace_strict(OUTCOME_DETAIL_LABELS, default=None)
        .fill_null("")
        .alias("Delkategori"),
        pl.when(pl.col("complementary_aid"))
        .then(pl.lit("med kompletterande bistånd"))
        .when(pl.col("complementary_aid").not_())
        .then(pl.lit("utan kompletterande bistånd"))
        .otherwise(pl.lit(""))
        .alias("Bistånd"),
        count_or_hidden(ended, threshold).alias("Antal"),
        pl.col("_share").alias("Andel av avslutade"),
    )


def changes_text(changes: dict) -> str:
    """New, ended and changed participants since the previous month, in one sentence."""
    if not changes.get("previous_month"):
        return "Det finns bara en månad inläst, så det finns inget att jämföra med ännu."

    def n(key: str) -> str:
        value = changes.get(key, 0)
        return suppressed_text() if 0 < value < SUPPRESSION_THRESHOLD else format_count(value)

    return (
        f"Från {changes['previous_month']} till {changes['current_month']}: "
        f"**{n('new')}** nya deltagare, **{n('ended')}** avslutade och **{n('changed_outcome')}** "
        "med ändrat utfall."
    )
