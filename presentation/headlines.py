"""The overview's first sentences: the period against a year earlier, and the
municipalities that differ most from the whole."""

from __future__ import annotations

import polars as pl

from metrics.catalogue import CATALOGUE
from metrics.headlines import PeriodComparison
from metrics.protection import SUPPRESSION_THRESHOLD
from presentation.numbers import format_count, format_share, hidden_text


def _count(frame: pl.DataFrame, threshold: int) -> tuple[str, int | None]:
    if frame.height == 0:
        return "0", 0
    row = frame.row(0, named=True)
    if row["suppressed"]:
        return hidden_text(row["hidden_reason"], threshold), None
    return format_count(row["value"]), int(row["value"])


def period_sentence(comparison: PeriodComparison, threshold: int = SUPPRESSION_THRESHOLD) -> str:
    """'Under år 2019 hade insatserna 360 deltagare, mot 138 under år 2018 (+222).'"""
    now_text, now = _count(comparison.total.filter(pl.col("period") == "now"), threshold)
    then_text, then = _count(comparison.total.filter(pl.col("period") == "earlier"), threshold)
    earlier = comparison.earlier.label
    sentence = (
        f"Under {comparison.period.label} hade insatserna {now_text} deltagare, mot "
        f"{then_text} under {earlier}"
    )
    if now is None or then is None:
        return sentence + "."
    change = now - then
    sign = "+" if change > 0 else "−" if change < 0 else "±"
    return f"{sentence} ({sign}{format_count(abs(change))})."


def period_table(
    comparison: PeriodComparison, threshold: int = SUPPRESSION_THRESHOLD
) -> pl.DataFrame:
    """Per insats: participants in the period and a year earlier, hidden counts as words."""
    labels = {"now": comparison.period.label, "earlier": comparison.earlier.label}
    rows = []
    for project in sorted(comparison.by_project["project"].unique().to_list()):
        row: dict[str, str] = {"Insats": project}
        for which, label in labels.items():
            part = comparison.by_project.filter(
                pl.col("project") == project, pl.col("period") == which
            )
            row[label.capitalize()] = _count(part, threshold)[0]
        rows.append(row)
    return pl.DataFrame(rows)


def difference_sentences(differences: pl.DataFrame, unit_word: str = "kommun") -> list[str]:
    """One sentence per difference: the unit's share, the whole's, its n and the limits."""
    if differences.height == 0:
        return [
            f"Ingen {unit_word} ligger utanför 95 %-gränserna för någon andel: skillnaderna "
            "kan vara slump."
        ]
    sentences = []
    for row in differences.iter_rows(named=True):
        label = CATALOGUE[row["metric"]].label
        side = "över" if row["value"] > row["overall"] else "under"
        n = format_count(row["denominator"])
        sentences.append(
            f"{row['unit']}: {label.lower()} {format_share(row['value'])} mot "
            f"{format_share(row['overall'])} i hela urvalet (n = {n}), {side} 95 %-gränserna."
        )
    return sentences
