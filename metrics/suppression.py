"""Small-count suppression: counts from 1 to threshold-1 are hidden, and cannot be derived.

Applied last to any metric frame, so every page, download and report shows the same
protected figures.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

#: Columns removed from a hidden cell.
HIDDEN_COLUMNS: tuple[str, ...] = ("value", "numerator", "ci_low", "ci_high", "flag")
#: Columns that reveal a unit's size; removed with a hidden denominator.
SIZE_COLUMNS: tuple[str, ...] = ("denominator", "n", "lo95", "hi95", "lo998", "hi998")


def suppress_small_counts(
    frame: pl.DataFrame, threshold: int = 5, by: Sequence[str] = ()
) -> pl.DataFrame:
    """Hide small counts and the cells that would let them be worked out from a total.

    Primary: a row whose numerator, or whose denominator, is from 1 to ``threshold - 1``
    is hidden; zero is not. Secondary: the cells of one breakdown (same metric, same
    values of every ``by`` column except the last) add up to a total, so when exactly one
    of them is hidden, the visible one with the next smallest count is hidden too. A hidden
    row loses value, numerator and interval; its denominator goes as well when it is small
    (or when it could be derived from the one that was). ``threshold`` 0 turns this off.
    """
    columns = frame.columns
    already = pl.col("suppressed").fill_null(False) if "suppressed" in columns else pl.lit(False)
    if threshold <= 1:
        return frame.with_columns(already.alias("suppressed"))

    def small(column: str) -> pl.Expr:
        if column not in columns:
            return pl.lit(False)
        return pl.col(column).is_between(1, threshold - 1).fill_null(False)

    groups = [c for c in ("metric", *list(by)[:-1]) if c in columns]
    if not groups:
        frame = frame.with_columns(pl.lit(0).alias("__breakdown"))
        groups = ["__breakdown"]
    size = pl.coalesce(
        [pl.col(c) for c in ("numerator", "denominator") if c in columns]
        or [pl.lit(None, dtype=pl.Int64)]
    )
    primary = already | small("numerator") | small("denominator")
    small_den = small("denominator")
    marked = frame.with_columns(
        primary.alias("__primary"),
        (primary & small_den).alias("__den_hidden"),
        # A zero is a poor second cell (zeros are often known), so it is chosen last.
        pl.when(~primary & size.is_not_null())
        .then(pl.when(size == 0).then(pl.lit(2**62)).otherwise(size))
        .alias("__candidate"),
    )
    lone = pl.col("__primary").sum().over(groups) == 1
    secondary = (
        lone
        & (pl.col("__candidate").rank("ordinal").over(groups) == 1).fill_null(False)
        & pl.col("__candidate").is_not_null()
    )
    marked = marked.with_columns(
        secondary.alias("__secondary"),
        pl.col("__den_hidden").any().over(groups).alias("__group_den_hidden"),
    )
    hidden = pl.col("__primary") | pl.col("__secondary")
    hide_size = pl.col("__den_hidden") | (pl.col("__secondary") & pl.col("__group_den_hidden"))
    out = marked.with_columns(
        *[
            pl.when(hidden).then(None).otherwise(pl.col(c)).alias(c)
            for c in HIDDEN_COLUMNS
            if c in columns
        ],
        *[
            pl.when(hide_size).then(None).otherwise(pl.col(c)).alias(c)
            for c in SIZE_COLUMNS
            if c in columns
        ],
        hidden.alias("suppressed"),
    )
    return out.drop([c for c in out.columns if c.startswith("__")]).select(
        [*columns, *([] if "suppressed" in columns else ["suppressed"])]
    )


#: Counts of one group that add up to its participants: ongoing + ended.
LINKED_COUNTS: tuple[str, ...] = ("participants_ongoing", "participants_ended")


def suppress_linked_counts(
    frame: pl.DataFrame, by: Sequence[str] = (), linked: Sequence[str] = LINKED_COUNTS
) -> pl.DataFrame:
    """Hide the linked counts of a group together when one of them is hidden.

    Ongoing and ended participations add up to the participants, so showing "48 deltagare,
    47 pågående, <5 avslutade" gives the hidden one away. Run after
    :func:`suppress_small_counts`; other metrics are left as they are.
    """
    if frame.height == 0 or "suppressed" not in frame.columns:
        return frame
    group = [c for c in by if c in frame.columns]
    is_linked = pl.col("metric").is_in(list(linked))
    hidden_in_group = (is_linked & pl.col("suppressed")).cast(pl.Int32)
    lone = (hidden_in_group.sum().over(group) if group else hidden_in_group.sum()) == 1
    hide = is_linked & ~pl.col("suppressed") & lone
    columns = [c for c in HIDDEN_COLUMNS if c in frame.columns]
    return frame.with_columns(
        *[pl.when(hide).then(None).otherwise(pl.col(c)).alias(c) for c in columns],
        (pl.col("suppressed") | hide).alias("suppressed"),
    )
