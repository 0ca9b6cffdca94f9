"""Swedish number formatting for charts, hover texts and tables.

Babel supplies the Swedish (CLDR) patterns: decimal comma, a space between thousands and
a space before the percent sign. CLDR's no-break space (U+00A0) is replaced by an ordinary
space (U+0020) so the text matches Plotly's own tick labels (``separators=", "``) and
renders in every browser font and PDF. Negative numbers use the minus sign U+2212, as
Plotly's axes do. Halves round away from zero, as Excel does, so figures agree with the
spreadsheets users compare them with.
"""

from __future__ import annotations

import decimal
import math
from collections.abc import Iterable
from typing import Literal

import polars as pl
from babel.numbers import format_decimal as babel_format_decimal

from metrics.protection import REASON_LINKED, REASON_SMALL, SUPPRESSION_THRESHOLD

LOCALE = "sv_SE"
SPACE = " "  # U+0020, used for thousands and before "%"
MINUS = "\u2212"
MISSING_TEXT = "Uppgift saknas"

MetricKind = Literal["count", "share", "median", "difference", "cost"]
METRIC_KINDS: tuple[str, ...] = ("count", "share", "median", "difference", "cost")
#: After an amount of money: "50 000 kr".
CURRENCY = "kr"


#: Shown instead of a count hidden only so that a small one cannot be worked out: it may
#: be large, so it must not read "<5".
LINKED_TEXT = "dold"


def suppressed_text(threshold: int = SUPPRESSION_THRESHOLD) -> str:
    """The text shown instead of a hidden small count ("<5" for the default threshold)."""
    return f"<{threshold}"


def hidden_text(reason: str | None = None, threshold: int = SUPPRESSION_THRESHOLD) -> str:
    """ "<5" for a small count (or when the reason is not known), "dold" for any other."""
    if reason is None or reason == REASON_SMALL:
        return suppressed_text(threshold)
    return LINKED_TEXT


def _known(value: float | None) -> float | None:
    """The value, or ``None`` when it is missing (``None``, NaN or infinite)."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    return value


def _babel(value: float | int, pattern: str) -> str:
    with decimal.localcontext() as context:
        context.rounding = decimal.ROUND_HALF_UP
        text = babel_format_decimal(value, format=pattern, locale=LOCALE)
    text = text.replace("\u00a0", SPACE).replace("\u202f", SPACE)
    if text.startswith("-"):
        text = MINUS + text[1:]
    if _is_zero_text(text):
        # "-0,0" after rounding is just zero.
        text = text.lstrip(MINUS)
    return text


def _is_zero_text(text: str) -> bool:
    return all(c in "0," for c in text.lstrip(MINUS + "+"))


def _pattern(decimals: int, *, optional: bool = False) -> str:
    if decimals <= 0:
        return "#,##0"
    return "#,##0." + ("#" if optional else "0") * decimals


def format_count(value: int | float | None) -> str:
    """A whole number with space-separated thousands: ``12345`` -> ``"12 345"``."""
    known = _known(value)
    if known is None:
        return MISSING_TEXT
    return _babel(known, _pattern(0))


def format_decimal(value: float | int | None, decimals: int = 1) -> str:
    """A number with a fixed count of decimals: ``1234.56`` -> ``"1 234,6"``."""
    known = _known(value)
    if known is None:
        return MISSING_TEXT
    return _babel(known, _pattern(decimals))


def format_share(value: float | None, decimals: int = 1) -> str:
    """A share given as a fraction, as percent: ``0.264`` -> ``"26,4 %"``."""
    known = _known(value)
    if known is None:
        return MISSING_TEXT
    return _babel(known * 100, _pattern(decimals)) + SPACE + "%"


def format_pp(value: float | None, decimals: int = 1) -> str:
    """A difference in percentage points, always signed: ``3.2`` -> ``"+3,2 procentenheter"``.

    Zero (after rounding) carries no sign.
    """
    known = _known(value)
    if known is None:
        return MISSING_TEXT
    text = _babel(known, _pattern(decimals))
    if not text.startswith(MINUS) and not _is_zero_text(text):
        text = "+" + text
    return text + SPACE + "procentenheter"


def format_sek(value: float | int | None) -> str:
    """An amount in whole kronor: ``51234.6`` -> ``"51 235 kr"``."""
    known = _known(value)
    if known is None:
        return MISSING_TEXT
    return _babel(known, _pattern(0)) + SPACE + CURRENCY


def format_msek(value: float | int | None) -> str:
    """A large amount in millions of kronor, as boards say it: ``6_900_000`` ->
    ``"6,9 mnkr"`` (two decimals below ten million kronor: ``"1,05 mnkr"``)."""
    known = _known(value)
    if known is None:
        return MISSING_TEXT
    millions = known / 1_000_000
    decimals = 2 if abs(millions) < 10 else 1
    return _babel(millions, _pattern(decimals, optional=True)) + SPACE + "mnkr"


def format_median(value: float | None) -> str:
    """A median: whole numbers without decimals, halves with one (``14.5`` -> ``"14,5"``)."""
    known = _known(value)
    if known is None:
        return MISSING_TEXT
    return _babel(known, _pattern(1, optional=True))


def hidden_marker(reasons: Iterable[str | None], threshold: int = SUPPRESSION_THRESHOLD) -> str:
    """One text for several hidden values: "dold" when any of them was hidden to protect
    another count (it may be large), else "<5"."""
    if any(hidden_text(reason) == LINKED_TEXT for reason in reasons):
        return LINKED_TEXT
    return suppressed_text(threshold)


def format_value(
    value: float | int | None,
    kind: MetricKind | str,
    *,
    suppressed: bool = False,
    threshold: int = SUPPRESSION_THRESHOLD,
    reason: str | None = None,
) -> str:
    """Format a metric value by its kind (count, share, median, difference or cost).

    A suppressed value reads "<5" whatever its kind (or "dold" when it was hidden to
    protect another cell), so a hidden cell looks the same in every chart and table.
    """
    if suppressed:
        return hidden_text(reason, threshold)
    if kind == "count":
        return format_count(value)
    if kind == "share":
        return format_share(value)
    if kind == "median":
        return format_median(value)
    if kind == "difference":
        return format_pp(value)
    if kind == "cost":
        return format_sek(value)
    raise ValueError(f"okänd måttyp: {kind!r} (väntade en av {', '.join(METRIC_KINDS)})")


def format_n(
    numerator: int | None,
    denominator: int | None,
    *,
    suppressed: bool = False,
    threshold: int = SUPPRESSION_THRESHOLD,
    reason: str | None = None,
) -> str:
    """The basis of a share: ``(12, 44)`` -> ``"12 av 44"``; a hidden numerator -> ``"<5 av 44"``.

    Without a denominator (a count) the count alone is given: ``"n = 44"``.
    """
    top = hidden_text(reason, threshold) if suppressed else format_count(numerator)
    if denominator is None:
        return f"n = {top}"
    return f"{top} av {format_count(denominator)}"


def shown_or_hidden(value: pl.Expr, reason: pl.Expr, threshold: int) -> pl.Expr:
    """``value`` where nothing is hidden, else the text for the reason ("<5" or "dold")."""
    return (
        pl.when(reason.is_null())
        .then(value)
        .when(reason == REASON_SMALL)
        .then(pl.lit(hidden_text(REASON_SMALL, threshold)))
        .otherwise(pl.lit(hidden_text(REASON_LINKED, threshold)))
    )


def count_or_hidden(frame: pl.DataFrame, threshold: int = SUPPRESSION_THRESHOLD) -> pl.Expr:
    """A protected count table's ``count`` as text: "<5" for a small hidden count, "dold"
    for one hidden to protect another (it may be large). Without ``hidden_reason`` every
    hidden count is taken as small."""
    known = "hidden_reason" in frame.columns
    reason = pl.col("hidden_reason") if known else pl.lit(None, dtype=pl.String)
    return shown_or_hidden(
        pl.col("count").cast(pl.String),
        pl.when(pl.col("suppressed")).then(reason.fill_null(REASON_SMALL)),
        threshold,
    )
